import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { db } from "@/lib/db/client";
import { ToolSettingsSchema } from "@/lib/tools/schema";
import { getToolSettings, setToolSettings } from "@/lib/tools/settings";

/** The tools allow-list (private hosts and networks tools may reach). */
export const GET = withMember("settings.network.read", async (_request, member) => NextResponse.json(await getToolSettings(db(), member.workspaceId)));

/** Replaces the allow-list. */
export const PUT = withMember("settings.network.edit", async (request, member) => {
  const body = await parseJson(request, ToolSettingsSchema);
  if (body instanceof Response) return body;
  return NextResponse.json(await setToolSettings(db(), member, body));
});
