import { NextResponse } from "next/server";
import { requestFacts } from "@/lib/audit/request-facts";
import { withMember } from "@/lib/auth/http";
import { regenerateInvitation } from "@/lib/members/invitations";

/** A new link and expiry for a pending or expired invitation (the old link stops working), mailed again → { invitation, link, delivery }. */
export const POST = withMember("member.invite", async (request, member, { params }: { params: Promise<{ id: string }> }) => {
  const issued = await regenerateInvitation(member, (await params).id, requestFacts(request));
  return NextResponse.json(issued, { headers: { "Cache-Control": "no-store" } });
});
