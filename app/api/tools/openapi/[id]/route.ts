import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { UpdateOpenApiSourceSchema, deleteToolSource, updateOpenApiSource } from "@/lib/tools/openapi";

type Params = { params: Promise<{ id: string }> };

/** Sets an OpenAPI source's base URL or auth (a secret reference) for all its tools. */
export async function PATCH(request: Request, { params }: Params) {
  const member = await authenticate(request, "developer");
  if (member instanceof Response) return member;
  const body = await parseJson(request, UpdateOpenApiSourceSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return handle(async () => NextResponse.json(await updateOpenApiSource(member, id, body)));
}

/** Deletes the source and every tool imported from it → 204. */
export async function DELETE(request: Request, { params }: Params) {
  const member = await authenticate(request, "developer");
  if (member instanceof Response) return member;
  const { id } = await params;
  return handle(async () => {
    await deleteToolSource(member, id);
    return new Response(null, { status: 204 });
  });
}
