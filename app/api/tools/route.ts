import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { CreateToolSchema } from "@/lib/tools/schema";
import { createTool, listTools } from "@/lib/tools/service";

/** The workspace's tools (every member: editors pick them in Agent and Tool nodes). */
export const GET = withMember("tool.read", async (_request, member) => NextResponse.json({ tools: await listTools(member) }));

/** Registers an http, code or workflow tool → 201. */
export const POST = withMember("tool.manage", async (request, member) => {
  const body = await parseJson(request, CreateToolSchema);
  if (body instanceof Response) return body;
  return NextResponse.json(await createTool(member, body), { status: 201 });
});
