import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { testTool } from "@/lib/tools/console";
import { TestToolSchema } from "@/lib/tools/schema";

/**
 * The tool console: one call with a JSON input through the same ToolPort runs use → 200 with
 * `{ ok, output | error, detail (request/response, secrets redacted), durationMs }`. Editor role or higher.
 */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const member = await authenticate(request, "editor");
  if (member instanceof Response) return member;
  const body = await parseJson(request, TestToolSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return handle(async () => NextResponse.json(await testTool(member, id, body.input), { headers: { "Cache-Control": "no-store" } }));
}
