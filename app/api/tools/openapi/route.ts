import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { MAX_DOCUMENT_CHARS, OpenApiImportSchema, importOpenApi } from "@/lib/tools/openapi";

/** Imports (or re-imports) the chosen operations of a document as tools → 201 with counts and tool ids. */
export async function POST(request: Request) {
  const member = await authenticate(request, "developer");
  if (member instanceof Response) return member;
  const body = await parseJson(request, OpenApiImportSchema, MAX_DOCUMENT_CHARS + 64 * 1024);
  if (body instanceof Response) return body;
  return handle(async () => NextResponse.json(await importOpenApi(member, body), { status: 201 }));
}
