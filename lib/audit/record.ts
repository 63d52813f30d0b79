import { randomUUID } from "node:crypto";
import { z } from "zod";
import { db, poolOf } from "@/lib/db/client";
import { prepared } from "@/lib/db/prepared";
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
 * One plain prepared INSERT (not Prisma's create): every API run writes a `run.started` entry, and
 * on that path Prisma's query compiler costs several times the statement itself (issue #9).
 * Times are UTC, the columns' convention (lib/runs/step-sql.ts).
 */
export const AUDIT_EVENT_COLUMNS = `id, "workspaceId", "actorUserId", "actorType", "actorApiKeyId", "actorLabel", action,
     "targetType", "targetId", "targetLabel", ip, "userAgent", changes, metadata, "createdAt"`;

/** The values of AUDIT_EVENT_COLUMNS from 14 parameters starting at $`first` (auditInsertValues). */
export function auditEventValues(first: number): string {
  const $ = (n: number) => `$${first + n - 1}`;
  return `${$(1)}, ${$(2)}, ${$(3)}, ${$(4)}::"AuditActorType", ${$(5)}, ${$(6)}, ${$(7)}, ${$(8)}, ${$(9)}, ${$(10)}, ${$(11)}, ${$(12)},
     ${$(13)}::jsonb, ${$(14)}::jsonb, now() AT TIME ZONE 'UTC'`;
}

const INSERT_AUDIT_EVENT = prepared("insert_audit_event", `INSERT INTO audit_events (${AUDIT_EVENT_COLUMNS}) VALUES (${auditEventValues(1)})`);

type AuditRow = Omit<z.output<typeof AuditEntrySchema>, "changes" | "metadata"> & { changes: unknown; metadata: unknown };

const insertValues = (row: AuditRow): unknown[] => [
  randomUUID(),
  row.workspaceId ?? null,
  row.actorUserId ?? null,
  row.actorType,
  row.actorApiKeyId ?? null,
  row.actorLabel ?? null,
  row.action,
  row.targetType ?? null,
  row.targetId ?? null,
  row.targetLabel ?? null,
  row.ip ?? null,
  row.userAgent ?? null,
  row.changes === null || row.changes === undefined ? null : JSON.stringify(row.changes),
  JSON.stringify(row.metadata ?? {}),
];

/**
 * Appends one audit entry. The request's address and user agent come from the audit context
 * (lib/audit/context.ts) when the caller gives none, the actor's label from their account; `changes` and `metadata` pass through the
 * redactor. Awaited, not fire-and-forget: a security event that could not be recorded is logged
 * as an error with its content, so it is never lost silently, but the request it describes is not
 * failed because of it. There is no update or delete counterpart (the table refuses both).
 */
export async function recordAudit(entry: AuditEntry): Promise<void> {
  const values = await auditInsertValues(entry);
  try {
    await poolOf(db()).query(INSERT_AUDIT_EVENT(values));
  } catch (error) {
    logger.error({ err: error, audit: values }, "could not write an audit entry");
  }
}

/**
 * The parameters of an audit entry's INSERT (auditEventValues' 14 parameters, redacted: safe to log), with the same
 * defaults and redaction as recordAudit, for a statement that writes the entry together with what
 * it records (a run start: lib/runs/run-insert.ts), so both land or neither does.
 */
export async function auditInsertValues(entry: AuditEntry): Promise<unknown[]> {
  const context = currentAuditContext();
  const parsed = AuditEntrySchema.parse(entry);
  return insertValues({
    ...parsed,
    actorLabel: parsed.actorLabel ?? (await userLabel(parsed.actorUserId)),
    ip: parsed.ip ?? context?.ip ?? null,
    userAgent: parsed.userAgent ?? context?.userAgent ?? null,
    changes: parsed.changes ? redactAuditJson(parsed.changes) : null,
    metadata: redactAuditJson(parsed.metadata),
  });
}
