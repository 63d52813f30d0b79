import { recordMemberAction } from "@/lib/audit/member-action";
import { changeSummary } from "@/lib/audit/changes";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import type { Db } from "@/lib/db/client";
import { ServiceError } from "@/lib/services/errors";
import { allowListProblems, NetworkAllowListSchema, type NetworkAllowList } from "./allow-list";

/**
 * The workspace's network allow-list (Settings → Network): the one list every outbound path of the
 * workspace is checked against (HTTP nodes, HTTP and OpenAPI tools, MCP over HTTP, model providers).
 * Admins and owners edit it; inside what the operator permits (WEFT_ALLOW_PRIVATE_NETWORK opens
 * everything for every workspace, this opens single hosts and networks for one).
 */

export async function getNetworkAllowList(db: Db, workspaceId: string): Promise<string[]> {
  const row = await db.workspace.findUnique({ where: { id: workspaceId }, select: { networkAllowList: true } });
  return row?.networkAllowList ?? [];
}

/** Replaces the list; refuses the whole list, naming every refused entry and why. */
export async function setNetworkAllowList(db: Db, member: Member, input: unknown): Promise<NetworkAllowList> {
  requirePermission(member, "settings.network.edit");
  const parsed = NetworkAllowListSchema.safeParse(input);
  if (!parsed.success) throw new ServiceError("invalid_request", parsed.error.issues.map((i) => i.message).join("; "));
  const allowList = [...new Set(parsed.data.allowList)];
  const problems = allowListProblems(allowList);
  if (problems.length > 0) throw new ServiceError("invalid_request", problems.join(" "), { problems });
  const before = await getNetworkAllowList(db, member.workspaceId);
  await db.workspace.update({ where: { id: member.workspaceId }, data: { networkAllowList: allowList } });
  const changes = changeSummary({ allowList: before }, { allowList }, { shown: ["allowList"] });
  if (Object.keys(changes).length) await recordMemberAction(member, "network.allow_list.changed", { type: "workspace", id: member.workspaceId, label: member.workspaceName }, { changes });
  return { allowList };
}
