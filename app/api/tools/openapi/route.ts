import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { MAX_DOCUMENT_CHARS, OpenApiImportSchema, importOpenApi } from "@/lib/tools/openapi";

/** Imports (or re-imports) the chosen operations of a document as tools → 201 with counts and tool ids. */
export const POST = withMember("tool.manage", async (request, member) => {
  const body = await parseJson(request, OpenApiImportSchema, MAX_DOCUMENT_CHARS + 64 * 1024);
  if (body instanceof Response) return body;
  return NextResponse.json(await importOpenApi(member, body), { status: 201 });
});
