import { NextResponse } from "next/server";
import { requestFacts } from "@/lib/audit/request-facts";
import { parseJson, withMember } from "@/lib/auth/http";
import { AcceptInvitationSchema, acceptInvitation } from "@/lib/members/accept";
import { workspaceCookie } from "@/lib/members/workspace-cookie";

/**
 * The signed-in user accepts an invitation link's token → { workspaceId, workspaceName, role },
 * and the invited workspace becomes their current one. 403 when the link is for another email.
 */
export const POST = withMember("membership.own", async (request, member) => {
  const body = await parseJson(request, AcceptInvitationSchema);
  if (body instanceof Response) return body;
  const joined = await acceptInvitation({ id: member.userId, email: member.email }, body.token, requestFacts(request));
  return NextResponse.json(joined, { headers: { "Set-Cookie": workspaceCookie(joined.workspaceId) } });
});
