import { z } from "zod";
import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";
import { logger } from "@/lib/log";

/** Who acted: a signed-in user, an API key, the system itself, or someone not (yet) signed in. */
export const AUDIT_ACTOR_TYPES = ["user", "api_key", "system", "anonymous"] as const;

export const AuditEntrySchema = z.object({
  action: z.string().regex(/^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/, "a dotted lower-case verb, e.g. auth.sign_in.locked"),
  actorType: z.enum(AUDIT_ACTOR_TYPES),
  actorUserId: z.string().nullish(),
  workspaceId: z.string().nullish(),
  targetType: z.string().max(64).nullish(),
  targetId: z.string().max(320).nullish(),
  ip: z.string().max(64).nullish(),
  userAgent: z.string().max(512).nullish(),
  metadata: z.record(z.string(), z.json()).default({}),
});
export type AuditEntry = z.input<typeof AuditEntrySchema>;

/**
 * Appends one audit entry. Awaited, not fire-and-forget: a security event that could not be
 * recorded is logged as an error with its content, so it is never lost silently, but the
 * request it describes is not failed because of it.
 */
export async function recordAudit(entry: AuditEntry): Promise<void> {
  const parsed = AuditEntrySchema.parse(entry);
  try {
    await db().auditEvent.create({ data: { ...parsed, metadata: parsed.metadata as Prisma.InputJsonObject } });
  } catch (error) {
    logger.error({ err: error, audit: parsed }, "could not write an audit entry");
  }
}
