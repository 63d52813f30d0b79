import { memberActionEntry, recordMemberAction } from "@/lib/audit/member-action";
import { auditInsertValues } from "@/lib/audit/record";
import type { JsonValue } from "@/lib/audit/changes";
import type { Member } from "@/lib/auth/member";

/** A run action in the audit log: the run is the target, labelled with its workflow's name when known. */
export const auditRun = (member: Member, action: string, run: { id: string; workflowName?: string | null }, metadata: Record<string, JsonValue> = {}) =>
  recordMemberAction(member, action, { type: "run", id: run.id, label: run.workflowName ?? null }, { metadata });

/** The `run.started` entry's INSERT parameters, written by the run's own INSERT (lib/runs/run-insert.ts). */
export const runStartedAuditValues = (member: Member, run: { id: string; workflowName: string }, metadata: Record<string, JsonValue>) =>
  auditInsertValues(memberActionEntry(member, "run.started", { type: "run", id: run.id, label: run.workflowName }, { metadata }));
