import { NextResponse } from "next/server";
import { requestFacts } from "@/lib/audit/request-facts";
import { parseJson, withMember } from "@/lib/auth/http";
import { ChangeRoleSchema, changeMemberRole, removeMember } from "@/lib/members/service";

type Context = { params: Promise<{ id: string }> };

/** Changes a member's role (id = membership id) → the member; 409 for the last owner. */
export const PATCH = withMember("member.manage", async (request, member, { params }: Context) => {
  const body = await parseJson(request, ChangeRoleSchema);
  if (body instanceof Response) return body;
  return NextResponse.json({ member: await changeMemberRole(member, (await params).id, body, requestFacts(request)) });
});

/** Removes a member → 204; 409 for the last owner. Their API keys stop working (lib/api-keys/authenticate.ts). */
export const DELETE = withMember("member.manage", async (request, member, { params }: Context) => {
  await removeMember(member, (await params).id, requestFacts(request));
  return new Response(null, { status: 204 });
});
