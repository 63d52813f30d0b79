import { recordMemberChange } from "@/lib/audit/member-action";
import type { Member } from "@/lib/auth/member";

/**
 * What the audit log records of tools and tool sources: names and plain settings, and only
 * *whether* configurations changed. Tool configs hold URLs, literal headers and code; source
 * configs hold auth and MCP headers; none of their values is ever written to the log.
 */
type AuditedTool = { id: string; name: string; kind: string; description: string; enabled: boolean; config: unknown; inputSchema: unknown; outputSchema: unknown };

export const auditTool = (member: Member, action: string, before: AuditedTool | null, after: AuditedTool | null) =>
  recordMemberChange(member, action, "tool", { before, after }, { shown: ["name", "kind", "description", "enabled"], hidden: ["config", "inputSchema", "outputSchema"] });

type AuditedSource = { id: string; name: string; baseUrl?: unknown; auth?: unknown; config?: unknown };

export const auditToolSource = (member: Member, action: string, before: AuditedSource | null, after: AuditedSource | null) =>
  recordMemberChange(member, action, "tool_source", { before, after }, { shown: ["name", "baseUrl"], hidden: ["auth", "config"] });
