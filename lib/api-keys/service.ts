import { z } from "zod";
import { recordMemberAction } from "@/lib/audit/member-action";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import { forbidden, notFound } from "@/lib/services/errors";
import { ApiScopeSchema, scopesAllowedFor, type ApiScope } from "./scopes";
import { generateApiKeySecret, hashApiKey, visiblePrefix } from "./secret";

export const CreateApiKeySchema = z.object({
  name: z.string().trim().min(1, "Name is required").max(120, "Name is at most 120 characters"),
  scopes: z.array(ApiScopeSchema).min(1, "Pick at least one scope").transform((s) => [...new Set(s)]),
});

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  disabledAt: Date | null;
  disabledReason: string | null;
  createdBy: string | null;
}

/** Managing keys is for developers and above (apiKey.manage): a key can start any published workflow. */
const requireKeyManager = (member: Member) => requirePermission(member, "apiKey.manage");

const toView = (row: {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  disabledAt: Date | null;
  disabledReason: string | null;
  createdById: string | null;
}): ApiKeyView => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  scopes: row.scopes.filter((s): s is ApiScope => ApiScopeSchema.safeParse(s).success),
  createdAt: row.createdAt,
  lastUsedAt: row.lastUsedAt,
  revokedAt: row.revokedAt,
  disabledAt: row.disabledAt,
  disabledReason: row.disabledReason,
  createdBy: row.createdById,
});

export async function listApiKeys(member: Member): Promise<ApiKeyView[]> {
  requireKeyManager(member);
  const rows = await db().apiKey.findMany({ where: { workspaceId: member.workspaceId }, orderBy: { createdAt: "desc" } });
  return rows.map(toView);
}

/** Creates a key and returns its secret: the only time the full key exists outside the caller. */
export async function createApiKey(member: Member, input: z.input<typeof CreateApiKeySchema>): Promise<{ key: ApiKeyView; secret: string }> {
  requireKeyManager(member);
  const data = CreateApiKeySchema.parse(input);
  // A key acts with the lesser of its scopes and its creator's role: a scope the creator cannot use would be dead on arrival.
  const allowed = scopesAllowedFor(member.role);
  const beyond = data.scopes.filter((scope) => !allowed.includes(scope));
  if (beyond.length) throw forbidden(`Your role (${member.role}) cannot use the ${beyond.join(", ")} scope${beyond.length > 1 ? "s" : ""}.`);
  const secret = generateApiKeySecret();
  const row = await db().apiKey.create({
    data: {
      workspaceId: member.workspaceId,
      name: data.name,
      prefix: visiblePrefix(secret),
      hash: hashApiKey(secret),
      scopes: data.scopes,
      createdById: member.userId,
    },
  });
  await recordMemberAction(member, "api_key.created", { type: "api_key", id: row.id, label: row.name }, { metadata: { scopes: row.scopes, prefix: row.prefix } });
  return { key: toView(row), secret };
}

/** Revoking is permanent and idempotent; the row stays so the list shows when it was revoked. */
export async function revokeApiKey(member: Member, id: string): Promise<void> {
  requireKeyManager(member);
  const existing = await db().apiKey.findFirst({ where: { id, workspaceId: member.workspaceId }, select: { revokedAt: true, name: true } });
  if (!existing) throw notFound("API key");
  if (existing.revokedAt) return;
  await db().apiKey.update({ where: { id }, data: { revokedAt: new Date() } });
  await recordMemberAction(member, "api_key.revoked", { type: "api_key", id, label: existing.name });
}
