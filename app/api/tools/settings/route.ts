import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { db } from "@/lib/db/client";
import { handle } from "@/lib/http/route";
import { ToolSettingsSchema } from "@/lib/tools/schema";
import { getToolSettings, setToolSettings } from "@/lib/tools/settings";

/** The tools allow-list (private hosts and networks tools may reach). */
export async function GET(request: Request) {
  const member = await authenticate(request, "viewer");
  if (member instanceof Response) return member;
  return handle(async () => NextResponse.json(await getToolSettings(db(), member.workspaceId)));
}

/** Replaces the allow-list (admin role or higher). */
export async function PUT(request: Request) {
  const member = await authenticate(request, "admin");
  if (member instanceof Response) return member;
  const body = await parseJson(request, ToolSettingsSchema);
  if (body instanceof Response) return body;
  return handle(async () => NextResponse.json(await setToolSettings(db(), member, body)));
}
