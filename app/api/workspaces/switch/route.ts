import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { SwitchWorkspaceSchema, switchTarget } from "@/lib/members/switch";
import { workspaceCookie } from "@/lib/members/workspace-cookie";

/** Makes one of the caller's workspaces the current one (the weft_workspace cookie) → { workspaceId, workspaceName, role }. */
export const POST = withMember("membership.own", async (request, member) => {
  const body = await parseJson(request, SwitchWorkspaceSchema);
  if (body instanceof Response) return body;
  const target = await switchTarget(member, body);
  return NextResponse.json(target, { headers: { "Set-Cookie": workspaceCookie(target.workspaceId) } });
});
