import { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db, poolOf, type Db } from "@/lib/db/client";
import { notFound } from "@/lib/services/errors";
import { changeSummary } from "./changes";
import { recordMemberAction } from "./member-action";

/**
 * Audit retention: a workspace setting (days; the database checks the same bounds) applied by
 * purge_audit_events(), the one SQL function the append-only trigger lets delete (docs/security.md).
 */
export const AUDIT_RETENTION = { minDays: 30, maxDays: 3650, defaultDays: 365 } as const;

export const AuditSettingsSchema = z.object({
  retentionDays: z
    .number()
    .int("Whole days")
    .min(AUDIT_RETENTION.minDays, `At least ${AUDIT_RETENTION.minDays} days`)
    .max(AUDIT_RETENTION.maxDays, `At most ${AUDIT_RETENTION.maxDays} days`),
});
export type AuditSettings = z.infer<typeof AuditSettingsSchema>;

export async function getAuditSettings(member: Member): Promise<AuditSettings> {
  requirePermission(member, "audit.read");
  const row = await db().workspace.findUnique({ where: { id: member.workspaceId }, select: { auditRetentionDays: true } });
  if (!row) throw notFound("Workspace");
  return { retentionDays: row.auditRetentionDays };
}

export async function setAuditSettings(member: Member, input: z.input<typeof AuditSettingsSchema>): Promise<AuditSettings> {
  requirePermission(member, "audit.settings");
  const data = AuditSettingsSchema.parse(input);
  const before = await getAuditSettings(member);
  await db().workspace.update({ where: { id: member.workspaceId }, data: { auditRetentionDays: data.retentionDays } });
  const changes = changeSummary(before, data, { shown: ["retentionDays"] });
  if (Object.keys(changes).length) await recordMemberAction(member, "audit.retention_changed", { type: "workspace", id: member.workspaceId, label: member.workspaceName }, { changes });
  return data;
}

/** Removes every entry past its workspace's retention; returns how many. Run by the worker. */
export async function purgeExpiredAuditEvents(database: Db = db()): Promise<number> {
  const { rows } = await poolOf(database).query<{ removed: string }>(`SELECT purge_audit_events() AS removed`);
  return Number(rows[0]?.removed ?? 0);
}

/** How often workers purge expired audit entries: retention is in days, so hourly is plenty. */
export const AUDIT_PURGE_EVERY_MS = 60 * 60_000;

/**
 * The periodic purge of a worker process (one pass at start, then every `everyMs`). Every worker
 * may run it: the DELETE is idempotent, and one pass finding nothing left costs one statement.
 */
export function startAuditPurge(database: Db, log: { info: (o: object, m: string) => void; error: (o: object, m: string) => void }, everyMs = AUDIT_PURGE_EVERY_MS): () => void {
  const purge = () =>
    purgeExpiredAuditEvents(database).then(
      (removed) => (removed ? log.info({ removed }, "purged audit entries past their retention") : undefined),
      (error: unknown) => log.error({ err: error }, "audit purge failed"),
    );
  void purge();
  const timer = setInterval(() => void purge(), everyMs);
  return () => clearInterval(timer);
}
