import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { UpdateToolSchema } from "@/lib/tools/schema";
import { deleteTool, getTool, updateTool } from "@/lib/tools/service";

type Params = { params: Promise<{ id: string }> };

export const GET = withMember("tool.read", async (_request, member, { params }: Params) => {
  const { id } = await params;
  return NextResponse.json(await getTool(member, id));
});

/** Edits a tool; its version goes up by one. */
export const PATCH = withMember("tool.manage", async (request, member, { params }: Params) => {
  const body = await parseJson(request, UpdateToolSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return NextResponse.json(await updateTool(member, id, body));
});

export const DELETE = withMember("tool.manage", async (_request, member, { params }: Params) => {
  const { id } = await params;
  await deleteTool(member, id);
  return new Response(null, { status: 204 });
});
