import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { CreateToolSchema } from "@/lib/tools/schema";
import { createTool, listTools } from "@/lib/tools/service";

/** The workspace's tools (every member: editors pick them in Agent and Tool nodes). */
export async function GET(request: Request) {
  const member = await authenticate(request, "viewer");
  if (member instanceof Response) return member;
  return handle(async () => NextResponse.json({ tools: await listTools(member) }));
}

/** Registers an http, code or workflow tool (developer role or higher) → 201. */
export async function POST(request: Request) {
  const member = await authenticate(request, "developer");
  if (member instanceof Response) return member;
  const body = await parseJson(request, CreateToolSchema);
  if (body instanceof Response) return body;
  return handle(async () => NextResponse.json(await createTool(member, body), { status: 201 }));
}
