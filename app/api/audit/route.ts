import { NextResponse } from "next/server";
import { withMember } from "@/lib/auth/http";
import { AuditFilterSchema, AuditPageSchema, listAuditEvents, parseSearchParams } from "@/lib/audit/query";

/** GET /api/audit?actor=&action=&target=&from=&to=&cursor=&limit=: { events, nextCursor }, newest first. */
export const GET = withMember("audit.read", async (request, member) => {
  const params = new URL(request.url).searchParams;
  const filter = parseSearchParams(AuditFilterSchema, params);
  const page = parseSearchParams(AuditPageSchema.partial(), params);
  return NextResponse.json(await listAuditEvents(member, filter, page));
});
