import { recordMemberAction } from "@/lib/audit/member-action";
import type { JsonValue } from "@/lib/audit/changes";
import type { Member } from "@/lib/auth/member";

/** A run action in the audit log: the run is the target, labelled with its workflow's name when known. */
export const auditRun = (member: Member, action: string, run: { id: string; workflowName?: string | null }, metadata: Record<string, JsonValue> = {}) =>
  recordMemberAction(member, action, { type: "run", id: run.id, label: run.workflowName ?? null }, { metadata });
