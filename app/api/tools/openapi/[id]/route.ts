import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { UpdateOpenApiSourceSchema, deleteToolSource, updateOpenApiSource } from "@/lib/tools/openapi";

type Params = { params: Promise<{ id: string }> };

/** Sets an OpenAPI source's base URL or auth (a secret reference) for all its tools. */
export const PATCH = withMember("tool.manage", async (request, member, { params }: Params) => {
  const body = await parseJson(request, UpdateOpenApiSourceSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return NextResponse.json(await updateOpenApiSource(member, id, body));
});

/** Deletes the source and every tool imported from it → 204. */
export const DELETE = withMember("tool.manage", async (_request, member, { params }: Params) => {
  const { id } = await params;
  await deleteToolSource(member, id);
  return new Response(null, { status: 204 });
});
