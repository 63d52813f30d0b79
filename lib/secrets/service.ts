import { z } from "zod";
import { recordMemberAction } from "@/lib/audit/member-action";
import { ROLES, hasRole, type Member, type Role } from "@/lib/auth/member";
import { can, requirePermission } from "@/lib/auth/permissions";
import { db as defaultDb, type Db } from "@/lib/db/client";
import { Prisma } from "@/lib/generated/prisma/client";
import { ServiceError, forbidden, notFound } from "@/lib/services/errors";
import { cipherFromEnv, type Cipher } from "./crypto";
import { AllowedHostsSchema } from "./hosts";
import { decryptRow, findSecretRow } from "./resolver";
import { secretUsage, type SecretUse } from "./usage";

/**
 * Named workspace secrets (Settings → Secrets). Values are encrypted with AES-256-GCM (the key id
 * is part of the ciphertext, so rotated keys keep decrypting) and never leave the server after
 * creation: every view is masked (name, description, last four characters when the value is long
 * enough, dates). Tools, HTTP nodes and MCP servers reach values only through a run's resolver
 * (lib/secrets/resolver.ts: role check, host check on every hop, redaction) or the MCP starter.
 * Each secret carries its allowed hosts and an optional minimum role (see docs/tools.md).
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

/** Roles a secret may be restricted to; viewers cannot run workflows, so "editor" is the open default. */
export type SecretRole = Exclude<Role, "viewer">;
const SECRET_ROLES = ROLES.filter((r) => r !== "viewer") as [SecretRole, ...SecretRole[]];
const MinRoleSchema = z.enum(SECRET_ROLES, { message: `Pick one of ${SECRET_ROLES.join(", ")}` }).nullable();

export const CreateSecretSchema = z.object({
  name: SecretNameSchema,
  description: z.string().trim().max(SECRET_LIMITS.maxDescriptionChars).default(""),
  value: SecretValueSchema,
  allowedHosts: AllowedHostsSchema,
  minRole: MinRoleSchema.default(null),
});
export type CreateSecretInput = z.input<typeof CreateSecretSchema>;

/** Rotating replaces the value (re-encrypted with the current key); the description may change alone. */
export const UpdateSecretSchema = z
  .object({
    description: z.string().trim().max(SECRET_LIMITS.maxDescriptionChars).optional(),
    value: SecretValueSchema.optional(),
    allowedHosts: AllowedHostsSchema.optional(),
    minRole: MinRoleSchema.optional(),
  })
  .refine((v) => Object.values(v).some((field) => field !== undefined), "Send a new value, description, allowed hosts or role");
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
  /** Hosts the value may be sent to; empty = stored before host restrictions, locked until set. */
  allowedHosts: string[];
  /** Lowest role a run's initiator needs to use it; null = any member. */
  minRole: SecretRole | null;
  /** Who created it (they and admins may change its hosts and role). */
  createdById: string | null;
  /** Workflows (drafts, versions), tools and tool sources that name it. */
  usedBy: SecretUse[];
  createdAt: Date;
  updatedAt: Date;
}

const hintOf = (value: string) => (value.length >= HINT_MIN_LENGTH ? value.slice(-4) : "");
const keyIdOf = (cipher: string) => cipher.split(":")[1] ?? "";

interface SecretRecord {
  id: string;
  name: string;
  description: string;
  hint: string;
  cipher: string;
  allowedHosts: string[];
  minRole: string | null;
  createdById: string | null;
  createdAt: Date;
  updatedAt: Date;
}

const roleOf = (value: string | null): SecretRole | null => ((SECRET_ROLES as readonly string[]).includes(value ?? "") ? (value as SecretRole) : null);

const toView = (row: SecretRecord, usedBy: SecretUse[] = []): SecretView => ({
  id: row.id,
  name: row.name,
  description: row.description,
  hint: row.hint,
  keyId: keyIdOf(row.cipher),
  allowedHosts: row.allowedHosts,
  minRole: roleOf(row.minRole),
  createdById: row.createdById,
  usedBy,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
});

/** Names and hints help editors wire `{{ secrets.NAME }}`; values are never part of any view. */
export async function listSecrets(member: Member): Promise<SecretView[]> {
  requirePermission(member, "secret.read");
  const [rows, usage] = await Promise.all([
    defaultDb().secret.findMany({ where: { workspaceId: member.workspaceId }, orderBy: { name: "asc" } }),
    secretUsage(defaultDb(), member.workspaceId),
  ]);
  return rows.map((row) => toView(row, usage.get(row.name) ?? []));
}

/** A member cannot restrict a secret above their own role (they could then no longer use it either). */
function assertCanRestrict(member: Member, minRole: Role | null | undefined): void {
  if (minRole && !hasRole(member.role, minRole)) throw forbidden(`You cannot restrict a secret to ${minRole}s: your role is ${member.role}.`);
}

/**
 * Rotating a value is for developers who hold the secret's role; changing where it may go (hosts)
 * or who may use it (role) is for its creator or an admin.
 */
function assertCanUpdate(member: Member, row: SecretRecord, data: z.output<typeof UpdateSecretSchema>): void {
  const minRole = roleOf(row.minRole);
  if (minRole && !hasRole(member.role, minRole)) throw forbidden(`The secret ${row.name} is restricted to ${minRole}s; your role is ${member.role}.`);
  const changesPolicy = data.allowedHosts !== undefined || data.minRole !== undefined;
  if (changesPolicy && row.createdById !== member.userId && !can(member.role, "secret.policy")) {
    throw forbidden(`Only the secret's creator or an admin may change where ${row.name} may be sent or who may use it.`);
  }
  assertCanRestrict(member, data.minRole);
}

/** Who changed which secret and how (hosts, role, rotation); values never enter the audit log. */
function auditSecret(member: Member, action: string, row: { id: string; name: string }, metadata: Record<string, string | boolean | string[] | null>) {
  return recordMemberAction(member, action, { type: "secret", id: row.id, label: row.name }, { metadata: { name: row.name, ...metadata } });
}

export async function createSecret(member: Member, input: CreateSecretInput, cipher: Cipher = cipherFromEnv()): Promise<SecretView> {
  requirePermission(member, "secret.create");
  const data = CreateSecretSchema.parse(input);
  assertCanRestrict(member, data.minRole);
  try {
    const row = await defaultDb().secret.create({
      data: {
        workspaceId: member.workspaceId,
        name: data.name,
        description: data.description,
        cipher: cipher.encrypt(data.value),
        hint: hintOf(data.value),
        allowedHosts: data.allowedHosts,
        minRole: data.minRole,
        createdById: member.userId,
      },
    });
    await auditSecret(member, "secret.created", row, { allowedHosts: data.allowedHosts, minRole: data.minRole });
    return toView(row, (await secretUsage(defaultDb(), member.workspaceId)).get(row.name) ?? []);
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
  const row = await defaultDb().secret.findFirst({ where: { id, workspaceId: member.workspaceId } });
  if (!row) throw notFound("Secret");
  assertCanUpdate(member, row, data);
  const updated = await defaultDb().secret.updateMany({
    where: { id, workspaceId: member.workspaceId },
    data: {
      ...(data.description !== undefined ? { description: data.description } : {}),
      ...(data.value !== undefined ? { cipher: cipher.encrypt(data.value), hint: hintOf(data.value) } : {}),
      ...(data.allowedHosts !== undefined ? { allowedHosts: data.allowedHosts } : {}),
      ...(data.minRole !== undefined ? { minRole: data.minRole } : {}),
    },
  });
  if (updated.count === 0) throw notFound("Secret");
  // What changed, never the value: rotations are recorded as a flag.
  await auditSecret(member, "secret.updated", row, {
    rotated: data.value !== undefined,
    ...(data.allowedHosts !== undefined ? { allowedHosts: data.allowedHosts, previousHosts: row.allowedHosts } : {}),
    ...(data.minRole !== undefined ? { minRole: data.minRole, previousRole: row.minRole } : {}),
  });
  const usage = await secretUsage(defaultDb(), member.workspaceId);
  return toView(await defaultDb().secret.findUniqueOrThrow({ where: { id } }), usage.get(row.name) ?? []);
}

export async function deleteSecret(member: Member, id: string): Promise<void> {
  requirePermission(member, "secret.delete");
  const row = await defaultDb().secret.findFirst({ where: { id, workspaceId: member.workspaceId } });
  const deleted = await defaultDb().secret.deleteMany({ where: { id, workspaceId: member.workspaceId } });
  if (!row || deleted.count === 0) throw notFound("Secret");
  await auditSecret(member, "secret.deleted", row, {});
}

/**
 * The plain value of a workspace secret, by name (or id), with no role or host check: the caller
 * must check (the run resolver and the MCP starter do). Server only: never send the result to a
 * browser, a log or a step record. Unknown names fail with NodeError("secret_not_found").
 */
export async function resolveSecret(db: Db, workspaceId: string, nameOrId: string, cipher: Cipher = cipherFromEnv()): Promise<string> {
  return decryptRow(await findSecretRow(db, workspaceId, nameOrId), cipher);
}
