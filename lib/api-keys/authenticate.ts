import { z } from "zod";
import { recordAudit } from "@/lib/audit/record";
import { ROLES, type Member } from "@/lib/auth/member";
import { can, minimumRole, type Action } from "@/lib/auth/permissions";
import { db, poolOf } from "@/lib/db/client";
import { prepared } from "@/lib/db/prepared";
import { scopeFor, type ApiScope } from "./scopes";
import { hashApiKey, looksLikeApiKey } from "./secret";

/**
 * The caller behind a public API request: an API key resolved to its workspace and to its creator's
 * *current* membership. `member` is the creator with their current role, so v1 routes call the same
 * workspace-scoped services as the studio (which record the creator as the run's creator and check
 * the role): a key never does more than its creator may do now.
 */
export interface ApiCaller {
  keyId: string;
  /** Recorded on the runs the key starts, so they still say which key after it is deleted. */
  keyName: string;
  workspaceId: string;
  scopes: readonly ApiScope[];
  member: Member;
}

export type ApiAuthFailure = { status: 401 | 403; code: "unauthorized" | "forbidden"; message: string };

/** lastUsedAt is written at most this often per key, so a busy key does not turn reads into writes. */
const LAST_USED_RESOLUTION_MS = 10_000;

export const CREATOR_LEFT_REASON = "The member who created this key is no longer a member of the workspace.";

/** The key row with its workspace's name and its creator's current role (null: not a member). */
const KeyRowSchema = z.object({
  id: z.string(),
  workspaceId: z.string(),
  name: z.string(),
  scopes: z.array(z.string()).nullable(),
  createdById: z.string().nullable(),
  revokedAt: z.date().nullable(),
  disabledAt: z.date().nullable(),
  disabledReason: z.string().nullable(),
  lastUsedAt: z.date().nullable(),
  workspaceName: z.string(),
  creatorRole: z.enum(ROLES).nullable(),
  creatorEmail: z.string().nullable(),
});
type KeyRow = z.infer<typeof KeyRowSchema>;

/** The key row's columns and joins (`k` is the key), also for statements that read more in the same round trip (lib/api/workflows.ts). */
export const KEY_COLUMNS = `k."id", k."workspaceId", k."name", k."scopes", k."createdById",
            k."revokedAt" AT TIME ZONE 'UTC' AS "revokedAt", k."disabledAt" AT TIME ZONE 'UTC' AS "disabledAt", k."disabledReason",
            k."lastUsedAt" AT TIME ZONE 'UTC' AS "lastUsedAt",
            w."name" AS "workspaceName", m."role"::text AS "creatorRole", u."email" AS "creatorEmail"`;
export const KEY_FROM = `"api_keys" k
       JOIN "workspaces" w ON w."id" = k."workspaceId"
       LEFT JOIN "memberships" m ON m."workspaceId" = k."workspaceId" AND m."userId" = k."createdById"
       LEFT JOIN "users" u ON u."id" = m."userId"`;

/**
 * One statement, on every API request: the key by its hash, joined with its workspace and its
 * creator's membership and user. Plain SQL on Prisma's pool (lib/db/client.ts): the same read
 * through Prisma's query compiler costs several times the CPU. Times are read as UTC.
 */
const FIND_KEY = prepared("api_key_by_hash", `SELECT ${KEY_COLUMNS} FROM ${KEY_FROM} WHERE k."hash" = $1`);

/** Reads the row of the key with this hash (KEY_COLUMNS, and whatever else its statement reads), or undefined. */
export type KeyReader = (hash: string) => Promise<Record<string, unknown> | undefined>;

const readKey: KeyReader = async (hash) => (await poolOf(db()).query(FIND_KEY([hash]))).rows[0];

async function findKey(hash: string, read: KeyReader): Promise<KeyRow | null> {
  const row = await read(hash);
  return row ? KeyRowSchema.parse(row) : null;
}

/** Disables the key for good (first reason wins) so Settings shows why it stopped working. */
async function disableKey(row: KeyRow, reason: string): Promise<void> {
  const { count } = await db().apiKey.updateMany({ where: { id: row.id, disabledAt: null }, data: { disabledAt: new Date(), disabledReason: reason } });
  const target = { workspaceId: row.workspaceId, targetType: "api_key", targetId: row.id, targetLabel: row.name };
  if (count) await recordAudit({ action: "api_key.disabled", actorType: "system", ...target, metadata: { reason } });
}

/**
 * Records use at most every LAST_USED_RESOLUTION_MS: the key row just read says when it was last
 * recorded, so most requests write nothing and send no statement at all.
 */
async function touchLastUsed(id: string, lastUsedAt: Date | null): Promise<void> {
  const now = new Date();
  if (lastUsedAt && now.getTime() - lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  await db().apiKey.updateMany({
    where: { id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }] },
    data: { lastUsedAt: now },
  });
}

const unauthorized = (message: string): ApiAuthFailure => ({ status: 401, code: "unauthorized", message });
const forbiddenKey = (message: string): ApiAuthFailure => ({ status: 403, code: "forbidden", message });

/**
 * Whether the key may take `action`: one of its scopes must grant it, and its creator's current
 * role must allow it (the lesser of the two). Null when allowed, else the 403 naming what is missing.
 */
function refuseAction(row: KeyRow & { creatorRole: NonNullable<KeyRow["creatorRole"]> }, action: Action): ApiAuthFailure | null {
  const scope = scopeFor(action);
  if (!scope || !row.scopes?.includes(scope)) return forbiddenKey(`This API key lacks the ${scope ?? action} scope.`);
  if (!can(row.creatorRole, action)) {
    return forbiddenKey(
      `This API key's ${scope} scope needs its creator to have the ${minimumRole(action)} role or higher (${action}), but the member who created it is now ${row.creatorRole}.`,
    );
  }
  return null;
}

/**
 * Reads `Authorization: Bearer weft_…`. 401 for missing, malformed, unknown, revoked or disabled keys
 * and for a key whose creator left the workspace (which disables it); 403 when no scope of the key
 * grants `action` or the creator's current role does not allow it.
 */
export async function authenticateApiKey(headers: Headers, action: Action, read: KeyReader = readKey): Promise<ApiCaller | ApiAuthFailure> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.get("authorization") ?? "");
  if (!match) return unauthorized("Send an API key as `Authorization: Bearer weft_…`.");
  const secret = match[1]!;
  if (!looksLikeApiKey(secret)) return unauthorized("The API key is malformed.");
  const row = await findKey(hashApiKey(secret), read);
  if (!row || row.revokedAt) return unauthorized("The API key is unknown or has been revoked.");
  if (row.disabledAt) return unauthorized(`The API key is disabled: ${row.disabledReason ?? "no reason recorded"}`);
  if (!row.creatorRole || !row.createdById) {
    await disableKey(row, CREATOR_LEFT_REASON);
    return unauthorized(`The API key is disabled: ${CREATOR_LEFT_REASON}`);
  }
  const refusal = refuseAction({ ...row, creatorRole: row.creatorRole }, action);
  if (refusal) return refusal;
  await touchLastUsed(row.id, row.lastUsedAt);
  return {
    keyId: row.id,
    keyName: row.name,
    workspaceId: row.workspaceId,
    scopes: (row.scopes ?? []) as ApiScope[],
    member: {
      userId: row.createdById,
      email: row.creatorEmail ?? "",
      name: `API key ${row.name}`,
      workspaceId: row.workspaceId,
      workspaceName: row.workspaceName,
      role: row.creatorRole,
    },
  };
}
