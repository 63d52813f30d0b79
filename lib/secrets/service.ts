import { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db as defaultDb, type Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import type { SecretPort } from "@/lib/engine/ports";
import { Prisma } from "@/lib/generated/prisma/client";
import { ServiceError, forbidden, notFound } from "@/lib/services/errors";
import { cipherFromEnv, redactSecrets, type Cipher } from "./crypto";

/**
 * Named workspace secrets (Settings → Secrets). Values are encrypted with AES-256-GCM (the key id
 * is part of the ciphertext, so rotated keys keep decrypting) and never leave the server after
 * creation: every view is masked (name, description, last four characters when the value is long
 * enough, dates). Tools, HTTP nodes and MCP servers reach values only through `resolveSecret` or a
 * run's `SecretPort`, which also redacts every value it handed out from what the run records.
 */

/** A secret's name is what `{{ secrets.NAME }}` and `{ secret: "NAME" }` refer to: a template path segment. */
export const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const SECRET_LIMITS = { maxValueChars: 65_536, maxDescriptionChars: 500 } as const;
/** Values shorter than this show no hint: the last four characters would give away too much of them. */
const HINT_MIN_LENGTH = 8;

const SecretNameSchema = z
  .string()
  .trim()
  .regex(SECRET_NAME, "Use letters, digits and _ (not starting with a digit), at most 64 characters, e.g. STRIPE_KEY");
const SecretValueSchema = z.string().min(1, "Enter the secret's value").max(SECRET_LIMITS.maxValueChars, `At most ${SECRET_LIMITS.maxValueChars} characters`);

export const CreateSecretSchema = z.object({
  name: SecretNameSchema,
  description: z.string().trim().max(SECRET_LIMITS.maxDescriptionChars).default(""),
  value: SecretValueSchema,
});
export type CreateSecretInput = z.input<typeof CreateSecretSchema>;

/** Rotating replaces the value (re-encrypted with the current key); the description may change alone. */
export const UpdateSecretSchema = z
  .object({
    description: z.string().trim().max(SECRET_LIMITS.maxDescriptionChars).optional(),
    value: SecretValueSchema.optional(),
  })
  .refine((v) => v.description !== undefined || v.value !== undefined, "Send a new value or description");
export type UpdateSecretInput = z.input<typeof UpdateSecretSchema>;

/** What the browser and the API ever see of a secret. */
export interface SecretView {
  id: string;
  name: string;
  description: string;
  /** Last four characters of the value, or "" for short values. */
  hint: string;
  /** Id of the encryption key the value is stored with (rotation status). */
  keyId: string;
  createdAt: Date;
  updatedAt: Date;
}

const hintOf = (value: string) => (value.length >= HINT_MIN_LENGTH ? value.slice(-4) : "");
const keyIdOf = (cipher: string) => cipher.split(":")[1] ?? "";

const toView = (row: { id: string; name: string; description: string; hint: string; cipher: string; createdAt: Date; updatedAt: Date }): SecretView => ({
  id: row.id,
  name: row.name,
  description: row.description,
  hint: row.hint,
  keyId: keyIdOf(row.cipher),
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

/** Names and hints help editors wire `{{ secrets.NAME }}`; values are never part of any view. */
export async function listSecrets(member: Member): Promise<SecretView[]> {
  requirePermission(member, "secret.read");
  const rows = await defaultDb().secret.findMany({ where: { workspaceId: member.workspaceId }, orderBy: { name: "asc" } });
  return rows.map(toView);
}

export async function createSecret(member: Member, input: CreateSecretInput, cipher: Cipher = cipherFromEnv()): Promise<SecretView> {
  requirePermission(member, "secret.create");
  const data = CreateSecretSchema.parse(input);
  try {
    const row = await defaultDb().secret.create({
      data: {
        workspaceId: member.workspaceId,
        name: data.name,
        description: data.description,
        cipher: cipher.encrypt(data.value),
        hint: hintOf(data.value),
        createdById: member.userId,
      },
    });
    return toView(row);
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002") {
      throw new ServiceError("conflict", `A secret named ${data.name} already exists; rotate its value instead.`);
    }
    throw error;
  }
}

export async function updateSecret(member: Member, id: string, input: UpdateSecretInput, cipher: Cipher = cipherFromEnv()): Promise<SecretView> {
  requirePermission(member, "secret.edit");
  const data = UpdateSecretSchema.parse(input);
  const updated = await defaultDb().secret.updateMany({
    where: { id, workspaceId: member.workspaceId },
    data: {
      ...(data.description !== undefined ? { description: data.description } : {}),
      ...(data.value !== undefined ? { cipher: cipher.encrypt(data.value), hint: hintOf(data.value) } : {}),
    },
  });
  if (updated.count === 0) throw notFound("Secret");
  return toView(await defaultDb().secret.findUniqueOrThrow({ where: { id } }));
}

export async function deleteSecret(member: Member, id: string): Promise<void> {
  requirePermission(member, "secret.delete");
  const deleted = await defaultDb().secret.deleteMany({ where: { id, workspaceId: member.workspaceId } });
  if (deleted.count === 0) throw notFound("Secret");
}

/**
 * The plain value of a workspace secret, by name (or id). Server only: never send the result to a
 * browser, a log or a step record. Unknown names fail with NodeError("secret_not_found").
 */
export async function resolveSecret(db: Db, workspaceId: string, nameOrId: string, cipher: Cipher = cipherFromEnv()): Promise<string> {
  const row = await db.secret.findFirst({
    where: { workspaceId, OR: [{ name: nameOrId }, ...(isUuid(nameOrId) ? [{ id: nameOrId }] : [])] },
    select: { cipher: true },
  });
  if (!row) throw new NodeError("secret_not_found", `There is no secret named ${nameOrId} in this workspace (Settings → Secrets).`);
  try {
    return cipher.decrypt(row.cipher);
  } catch (error) {
    throw new NodeError("secret_not_found", `The secret ${nameOrId} could not be decrypted: ${(error as Error).message}`, { cause: error });
  }
}

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

/**
 * A run's view of the workspace secrets: `resolve` decrypts (once per name) and remembers every
 * value it handed out; `redact` replaces each of those values in anything a node is about to
 * record (inputs, traces, outputs, error messages). One per run (the worker's `servicesFor`).
 */
export function createSecretResolver(db: Db, workspaceId: string, cipher?: Cipher): SecretPort & { values(): string[] } {
  const cache = new Map<string, Promise<string>>();
  const handedOut = new Set<string>();
  return {
    async resolve(name) {
      let pending = cache.get(name);
      if (!pending) {
        pending = resolveSecret(db, workspaceId, name, cipher);
        cache.set(name, pending);
        // A failed lookup (secret created a moment later) may be retried.
        pending.catch(() => cache.delete(name));
      }
      const value = await pending;
      handedOut.add(value);
      return value;
    },
    redact: (value) => redactSecrets(value, [...handedOut]),
    values: () => [...handedOut],
  };
}
