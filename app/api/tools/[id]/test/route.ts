import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { testTool } from "@/lib/tools/console";
import { TestToolSchema } from "@/lib/tools/schema";

/**
 * The tool console: one call with a JSON input through the same ToolPort runs use → 200 with
 * `{ ok, output | error, detail (request/response, secrets redacted), durationMs }`.
 */
export const POST = withMember("tool.test", async (request, member, { params }: { params: Promise<{ id: string }> }) => {
  const body = await parseJson(request, TestToolSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return NextResponse.json(await testTool(member, id, body.input), { headers: { "Cache-Control": "no-store" } });
});
