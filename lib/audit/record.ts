import { z } from "zod";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { logger } from "@/lib/log";
import { currentAuditContext } from "./context";
import { redactAuditJson } from "./redact";

/** Who acted: a signed-in user, an API key, the system itself, or someone not (yet) signed in. */
export const AUDIT_ACTOR_TYPES = ["user", "api_key", "system", "anonymous"] as const;

export const AUDIT_ACTION = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;

export const AuditEntrySchema = z.object({
  action: z.string().regex(AUDIT_ACTION, "a dotted lower-case verb, e.g. auth.sign_in.locked"),
  actorType: z.enum(AUDIT_ACTOR_TYPES),
  actorUserId: z.string().nullish(),
  actorApiKeyId: z.string().nullish(),
  actorLabel: z.string().max(320).nullish(),
  workspaceId: z.string().nullish(),
  targetType: z.string().max(64).nullish(),
  targetId: z.string().max(320).nullish(),
  targetLabel: z.string().max(320).nullish(),
  ip: z.string().max(64).nullish(),
  userAgent: z.string().max(512).nullish(),
  /** Before/after summary (lib/audit/changes.ts). */
  changes: z.record(z.string(), z.json()).nullish(),
  metadata: z.record(z.string(), z.json()).default({}),
});
export type AuditEntry = z.input<typeof AuditEntrySchema>;

/** The user's email, so an entry names its actor after the account is gone; null when unknown. */
async function userLabel(userId: string | null | undefined): Promise<string | null> {
  if (!userId) return null;
  const user = await db().user.findUnique({ where: { id: userId }, select: { email: true } }).catch(() => null);
  return user?.email ?? null;
}

/**
 * Appends one audit entry. The request's address and user agent come from the audit context
 * (lib/audit/context.ts) when the caller gives none, the actor's label from their account; `changes` and `metadata` pass through the
 * redactor. Awaited, not fire-and-forget: a security event that could not be recorded is logged
 * as an error with its content, so it is never lost silently, but the request it describes is not
 * failed because of it. There is no update or delete counterpart (the table refuses both).
 */
export async function recordAudit(entry: AuditEntry): Promise<void> {
  const context = currentAuditContext();
  const parsed = AuditEntrySchema.parse(entry);
  const data = {
    ...parsed,
    actorLabel: parsed.actorLabel ?? (await userLabel(parsed.actorUserId)),
    ip: parsed.ip ?? context?.ip ?? null,
    userAgent: parsed.userAgent ?? context?.userAgent ?? null,
    changes: parsed.changes ? (redactAuditJson(parsed.changes) as Prisma.InputJsonObject) : undefined,
    metadata: redactAuditJson(parsed.metadata) as Prisma.InputJsonObject,
  };
  try {
    await db().auditEvent.create({ data });
  } catch (error) {
    logger.error({ err: error, audit: data }, "could not write an audit entry");
  }
}
