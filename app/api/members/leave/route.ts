import { requestFacts } from "@/lib/audit/request-facts";
import { parseJson, withMember } from "@/lib/auth/http";
import { LeaveWorkspaceSchema, leaveWorkspace } from "@/lib/members/service";
import { workspaceCookie } from "@/lib/members/workspace-cookie";

/** The caller leaves their current workspace (named in the body) → 204, and the workspace cookie is cleared; 409 for the last owner. */
export const POST = withMember("membership.own", async (request, member) => {
  const body = await parseJson(request, LeaveWorkspaceSchema);
  if (body instanceof Response) return body;
  await leaveWorkspace(member, body, requestFacts(request));
  return new Response(null, { status: 204, headers: { "Set-Cookie": workspaceCookie(null) } });
});
