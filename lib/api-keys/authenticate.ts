import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { ApiScope } from "./scopes";
import { hashApiKey, looksLikeApiKey } from "./secret";

/**
 * The caller behind a public API request: an API key resolved to its workspace. Authorization is
 * by the key's scopes; `member` lets v1 routes reuse the workspace-scoped services (which read the
 * workspace id and record the key's creator as the run's creator).
 */
export interface ApiCaller {
  keyId: string;
  workspaceId: string;
  scopes: readonly ApiScope[];
  member: Member;
}

export type ApiAuthFailure = { status: 401 | 403; code: "unauthorized" | "forbidden"; message: string };

/** lastUsedAt is written at most this often per key, so a busy key does not turn reads into writes. */
const LAST_USED_RESOLUTION_MS = 10_000;

/** Reads `Authorization: Bearer weft_…`; 401 for missing, malformed, unknown or revoked keys, 403 without the scope. */
export async function authenticateApiKey(headers: Headers, scope: ApiScope): Promise<ApiCaller | ApiAuthFailure> {
  const header = headers.get("authorization") ?? "";
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) {
    return { status: 401, code: "unauthorized", message: "Send an API key as `Authorization: Bearer weft_…`." };
  }
  const secret = match[1]!;
  if (!looksLikeApiKey(secret)) return { status: 401, code: "unauthorized", message: "The API key is malformed." };
  const key = await db().apiKey.findUnique({
    where: { hash: hashApiKey(secret) },
    include: { workspace: { select: { name: true } } },
  });
  if (!key || key.revokedAt) return { status: 401, code: "unauthorized", message: "The API key is unknown or has been revoked." };
  if (!key.scopes.includes(scope)) {
    return { status: 403, code: "forbidden", message: `This API key lacks the ${scope} scope.` };
  }
  const now = new Date();
  await db().apiKey.updateMany({
    where: { id: key.id, OR: [{ lastUsedAt: null }, { lastUsedAt: { lt: new Date(now.getTime() - LAST_USED_RESOLUTION_MS) } }] },
    data: { lastUsedAt: now },
  });
  return {
    keyId: key.id,
    workspaceId: key.workspaceId,
    scopes: key.scopes as ApiScope[],
    member: {
      userId: key.createdById ?? "",
      email: "",
      name: `API key ${key.name}`,
      workspaceId: key.workspaceId,
      workspaceName: key.workspace.name,
      // Scopes, not roles, authorize API callers; v1 routes only call services that do not check the role.
      role: "viewer",
    },
  };
}

/**
 * The caller as the member who created the key, with that member's current role: for API calls that
 * change the workspace the way a member would (importing a workflow), so a key never does more than
 * its creator may. Null when the creator has left the workspace.
 */
export async function keyCreatorMember(caller: ApiCaller): Promise<Member | null> {
  if (!caller.member.userId) return null;
  const membership = await db().membership.findUnique({
    where: { workspaceId_userId: { workspaceId: caller.workspaceId, userId: caller.member.userId } },
    select: { role: true },
  });
  return membership ? { ...caller.member, role: membership.role } : null;
}
