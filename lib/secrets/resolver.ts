import { ROLES, hasRole, type Role } from "@/lib/auth/member";
import type { Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import type { OutboundHop, SecretPort } from "@/lib/engine/ports";
import { cipherFromEnv, type Cipher } from "./crypto";
import { assertSecretEgress, refusal, type SecretGrant } from "./egress";
import { hostAllowed } from "./hosts";
import { createRedactor } from "./redact";

/**
 * How a run (or the tool console, or an MCP connection) reaches secret values: one resolver per
 * run. It decrypts once per name, enforces the secret's role restriction against the run's actor,
 * remembers each value with its allowed hosts (for `checkEgress`) and redacts every value it
 * handed out from whatever the run records.
 */

/** Who a run acts for: their current role decides which role-restricted secrets it may use. */
export type ActorRole = () => Promise<Role | null>;

export interface SecretRow {
  name: string;
  cipher: string;
  allowedHosts: string[];
  minRole: string | null;
}

const isUuid = (s: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
const asRole = (value: string | null): Role | null => (ROLES as readonly string[]).includes(value ?? "") ? (value as Role) : null;

export async function findSecretRow(db: Db, workspaceId: string, nameOrId: string): Promise<SecretRow> {
  const row = await db.secret.findFirst({
    where: { workspaceId, OR: [{ name: nameOrId }, ...(isUuid(nameOrId) ? [{ id: nameOrId }] : [])] },
    select: { name: true, cipher: true, allowedHosts: true, minRole: true },
  });
  if (!row) throw new NodeError("secret_not_found", `There is no secret named ${nameOrId} in this workspace (Settings → Secrets).`);
  return row;
}

export function decryptRow(row: SecretRow, cipher: Cipher = cipherFromEnv()): string {
  try {
    return cipher.decrypt(row.cipher);
  } catch (error) {
    throw new NodeError("secret_not_found", `The secret ${row.name} could not be decrypted: ${(error as Error).message}`, { cause: error });
  }
}

/** Refuses a role-restricted secret to an actor below its role (or to a run nobody can be held to). */
export async function assertSecretRole(row: SecretRow, actorRole: ActorRole | undefined): Promise<void> {
  const minimum = asRole(row.minRole);
  if (!minimum) return;
  const role = actorRole ? await actorRole() : null;
  if (role && hasRole(role, minimum)) return;
  const who = role ? `was started by a member with the ${role} role` : "has no member it acts for";
  throw new NodeError("secret_denied", `The secret ${row.name} is restricted to the ${minimum} role or higher, and this run ${who}.`);
}

/** The current role of a workspace member (null when they left). */
export function memberRole(db: Db, workspaceId: string, userId: string | null | undefined): ActorRole {
  return async () => {
    if (!userId) return null;
    const membership = await db.membership.findFirst({ where: { workspaceId, userId }, select: { role: true } });
    return asRole(membership?.role ?? null);
  };
}

/**
 * The member a run acts for: the person who started it (up the chain of parent runs for
 * sub-workflow children), else the publisher of the version it runs (triggers without a person).
 */
export function runActorRole(db: Db, workspaceId: string, runId: string): ActorRole {
  let cached: Promise<Role | null> | undefined;
  const find = async (): Promise<Role | null> => {
    let id: string | null = runId;
    for (let depth = 0; id && depth < 16; depth++) {
      const run: { createdById: string | null; parentRunId: string | null; workflowVersion: { createdById: string | null } | null } | null =
        await db.run.findFirst({ where: { id, workspaceId }, select: { createdById: true, parentRunId: true, workflowVersion: { select: { createdById: true } } } });
      if (!run) return null;
      if (run.createdById) return memberRole(db, workspaceId, run.createdById)();
      if (!run.parentRunId) return memberRole(db, workspaceId, run.workflowVersion?.createdById)();
      id = run.parentRunId;
    }
    return null;
  };
  return () => (cached ??= find());
}

export interface ResolverOptions {
  cipher?: Cipher;
  /** The run's actor; without one, role-restricted secrets are refused. */
  actorRole?: ActorRole;
}

export type SecretResolver = SecretPort & { values(): string[]; grants(): SecretGrant[] };

export function createSecretResolver(db: Db, workspaceId: string, options: ResolverOptions = {}): SecretResolver {
  const cache = new Map<string, Promise<SecretGrant>>();
  const handedOut = new Map<string, SecretGrant>();
  // Rebuilt only when a new secret is handed out (every step and event of the run is redacted).
  let redactor: { size: number; redact: <T>(value: T) => T } = { size: 0, redact: (value) => value };
  const currentRedactor = () => {
    if (redactor.size !== handedOut.size) redactor = { size: handedOut.size, redact: createRedactor([...handedOut.values()].map((g) => g.value)) };
    return redactor.redact;
  };
  const load = async (name: string): Promise<SecretGrant> => {
    const row = await findSecretRow(db, workspaceId, name);
    await assertSecretRole(row, options.actorRole);
    return { name: row.name, value: decryptRow(row, options.cipher), allowedHosts: row.allowedHosts };
  };
  return {
    async resolve(name) {
      let pending = cache.get(name);
      if (!pending) {
        pending = load(name);
        cache.set(name, pending);
        // A failed lookup (secret created a moment later, role granted) may be retried.
        pending.catch(() => cache.delete(name));
      }
      const grant = await pending;
      handedOut.set(grant.name, grant);
      return grant.value;
    },
    redact: (value) => currentRedactor()(value),
    checkEgress: (hop: OutboundHop) => assertSecretEgress(hop, [...handedOut.values()]),
    values: () => [...handedOut.values()].map((g) => g.value),
    grants: () => [...handedOut.values()],
  };
}

/** For senders that know the destination up front (an MCP server's URL): refuses grants not allowed there. */
export function assertGrantsAllowed(grants: readonly SecretGrant[], url: URL): void {
  for (const grant of grants) if (!hostAllowed(grant.allowedHosts, url)) throw refusal(grant, url);
}
