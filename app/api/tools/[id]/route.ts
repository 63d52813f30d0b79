import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { UpdateToolSchema } from "@/lib/tools/schema";
import { deleteTool, getTool, updateTool } from "@/lib/tools/service";

type Params = { params: Promise<{ id: string }> };

export async function GET(request: Request, { params }: Params) {
  const member = await authenticate(request, "viewer");
  if (member instanceof Response) return member;
  const { id } = await params;
  return handle(async () => NextResponse.json(await getTool(member, id)));
}

/** Edits a tool; its version goes up by one (developer role or higher). */
export async function PATCH(request: Request, { params }: Params) {
  const member = await authenticate(request, "developer");
  if (member instanceof Response) return member;
  const body = await parseJson(request, UpdateToolSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return handle(async () => NextResponse.json(await updateTool(member, id, body)));
}

export async function DELETE(request: Request, { params }: Params) {
  const member = await authenticate(request, "developer");
  if (member instanceof Response) return member;
  const { id } = await params;
  return handle(async () => {
    await deleteTool(member, id);
    return new Response(null, { status: 204 });
  });
}
