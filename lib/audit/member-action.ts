import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { changeSummary, type AuditChanges, type JsonValue } from "./changes";
import { currentAuditContext } from "./context";
import { recordAudit, type AuditEntry } from "./record";

export interface AuditTarget {
  type: string;
  id: string;
  /** The target's name now (kept in the entry after it is renamed or deleted). */
  label?: string | null;
}

export interface AuditDetails {
  changes?: AuditChanges;
  metadata?: Record<string, JsonValue>;
  /**
   * Coalescing for frequent actions (editor autosaves): nothing is written when the same actor's
   * last entry with this action and target is younger than this. The table is append-only, so a
   * burst is one entry (its first save), not an entry updated in place.
   */
  coalesceWithinMs?: number;
}

/** The actor of a member's action: the member, or the API key the request was made with. */
function actorOf(member: Member): Pick<AuditEntry, "actorType" | "actorUserId" | "actorApiKeyId" | "actorLabel"> {
  const apiKey = currentAuditContext()?.apiKey;
  if (apiKey) return { actorType: "api_key", actorUserId: member.userId, actorApiKeyId: apiKey.id, actorLabel: apiKey.label };
  return { actorType: "user", actorUserId: member.userId, actorApiKeyId: null, actorLabel: member.email || member.name };
}

async function recentlyRecorded(entry: AuditEntry, withinMs: number): Promise<boolean> {
  const found = await db().auditEvent.findFirst({
    where: {
      workspaceId: entry.workspaceId,
      action: entry.action,
      targetType: entry.targetType,
      targetId: entry.targetId,
      actorUserId: entry.actorUserId,
      actorApiKeyId: entry.actorApiKeyId ?? null,
      createdAt: { gte: new Date(Date.now() - withinMs) },
    },
    select: { id: true },
  });
  return found !== null;
}

/**
 * Records what a member (or an API key acting for its creator) did in their workspace: the one
 * call services make, one line each. Address and user agent come from the request's audit context.
 */
export async function recordMemberAction(member: Member, action: string, target: AuditTarget | null, details: AuditDetails = {}): Promise<void> {
  const entry = memberActionEntry(member, action, target, details);
  if (details.coalesceWithinMs && (await recentlyRecorded(entry, details.coalesceWithinMs))) return;
  await recordAudit(entry);
}

/** The audit entry of a member's action (recordMemberAction writes it; run starts write it with the run). */
export function memberActionEntry(member: Member, action: string, target: AuditTarget | null, details: Omit<AuditDetails, "coalesceWithinMs"> = {}): AuditEntry {
  return {
    action,
    ...actorOf(member),
    workspaceId: member.workspaceId,
    targetType: target?.type ?? null,
    targetId: target?.id ?? null,
    targetLabel: target?.label ?? null,
    changes: details.changes && Object.keys(details.changes).length > 0 ? details.changes : null,
    metadata: details.metadata ?? {},
  };
}

/**
 * A create, change or delete of a named workspace object in one call: the target is the object
 * (`after`, or `before` for a deletion) and the changes are the summary of `fields`
 * (lib/audit/changes.ts: `hidden` fields are recorded as changed, never with their values).
 */
export function recordMemberChange<T extends { id: string; name: string }>(
  member: Member,
  action: string,
  targetType: string,
  rows: { before: T | null; after: T | null },
  fields: { shown: readonly (keyof T & string)[]; hidden?: readonly (keyof T & string)[] },
  metadata?: Record<string, JsonValue>,
): Promise<void> {
  const target = rows.after ?? rows.before;
  if (!target) return Promise.resolve();
  return recordMemberAction(member, action, { type: targetType, id: target.id, label: target.name }, { changes: changeSummary(rows.before, rows.after, fields), metadata });
}
