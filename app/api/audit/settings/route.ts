import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { AuditSettingsSchema, getAuditSettings, setAuditSettings } from "@/lib/audit/retention";

/** GET /api/audit/settings: { retentionDays }. */
export const GET = withMember("audit.read", async (_request, member) => NextResponse.json(await getAuditSettings(member)));

/** PUT /api/audit/settings { retentionDays } (30–3650): entries older than this are purged by the worker. */
export const PUT = withMember("audit.settings", async (request, member) => {
  const body = await parseJson(request, AuditSettingsSchema);
  if (body instanceof Response) return body;
  return NextResponse.json(await setAuditSettings(member, body));
});
