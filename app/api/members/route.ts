import { NextResponse } from "next/server";
import { withMember } from "@/lib/auth/http";
import { listMembers } from "@/lib/members/service";

/** The workspace's members with their roles. */
export const GET = withMember("member.read", async (_request, member) => NextResponse.json({ members: await listMembers(member) }));
