import { recordAudit, type AuditEntry } from "@/lib/audit/record";
import type { RequestFacts } from "@/lib/audit/request-facts";

/** The membership events this module records (before/after summaries go in metadata, never a token). */
export type MemberAuditAction =
  | "member.invited"
  | "member.joined"
  | "member.role_changed"
  | "member.removed"
  | "member.left"
  | "invitation.revoked"
  | "invitation.regenerated";

export function auditMembership(
  action: MemberAuditAction,
  facts: RequestFacts,
  entry: { actorUserId: string; workspaceId: string; targetType: "membership" | "invitation"; targetId: string; metadata: NonNullable<AuditEntry["metadata"]> },
): Promise<void> {
  return recordAudit({ action, actorType: "user", ...entry, ip: facts.ip, userAgent: facts.userAgent });
}
