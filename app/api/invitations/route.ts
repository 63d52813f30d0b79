import { NextResponse } from "next/server";
import { requestFacts } from "@/lib/audit/request-facts";
import { parseJson, withMember } from "@/lib/auth/http";
import { CreateInvitationSchema, createInvitation, listInvitations } from "@/lib/members/invitations";

/** Invitations not accepted or revoked yet (pending and expired). Never their links. */
export const GET = withMember("member.invite", async (_request, member) => NextResponse.json({ invitations: await listInvitations(member) }));

/** Invites an email with a role → 201 { invitation, link, delivery }: the only answer that holds the link. */
export const POST = withMember("member.invite", async (request, member) => {
  const body = await parseJson(request, CreateInvitationSchema);
  if (body instanceof Response) return body;
  return NextResponse.json(await createInvitation(member, body, requestFacts(request)), { status: 201, headers: { "Cache-Control": "no-store" } });
});
