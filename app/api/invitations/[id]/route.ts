import { requestFacts } from "@/lib/audit/request-facts";
import { withMember } from "@/lib/auth/http";
import { revokeInvitation } from "@/lib/members/invitations";

/** Revokes a pending invitation (its link then shows "revoked") → 204. */
export const DELETE = withMember("member.invite", async (request, member, { params }: { params: Promise<{ id: string }> }) => {
  await revokeInvitation(member, (await params).id, requestFacts(request));
  return new Response(null, { status: 204 });
});
