import { NextResponse } from "next/server";
import { withMember } from "@/lib/auth/http";
import { getOverview } from "@/lib/analytics/overview";

/** The Overview's figures as JSON: `?range=7d|30d|90d` or `?from=YYYY-MM-DD&to=YYYY-MM-DD` (UTC days, inclusive). */
export const GET = withMember("analytics.read", async (request, member) => {
  const params = new URL(request.url).searchParams;
  // getOverview checks the values: an unknown preset or a bad date is a 400, not a silent default.
  const range = { range: params.get("range") ?? undefined, from: params.get("from") ?? undefined, to: params.get("to") ?? undefined };
  return NextResponse.json(await getOverview(member, range));
});
