import { NextResponse } from "next/server";
import { withMember } from "@/lib/auth/http";
import { OpenApiImportSchema, importOpenApi, readOpenApiRequest } from "@/lib/tools/openapi";

/**
 * Imports (or re-imports) the chosen operations of a document as tools → 201 with counts, tool ids
 * and the chosen operations that were skipped. JSON `{ text | url, … }`, or multipart: file part
 * `document` plus a JSON text part `options`.
 */
export const POST = withMember("tool.manage", async (request, member) => {
  const body = await readOpenApiRequest(request, OpenApiImportSchema);
  if (body instanceof Response) return body;
  return NextResponse.json(await importOpenApi(member, body), { status: 201 });
});
