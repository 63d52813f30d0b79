import { NextResponse } from "next/server";
import { z } from "zod";
import { parseJson, withMember } from "@/lib/auth/http";
import { MAX_DOCUMENT_CHARS, previewOpenApi } from "@/lib/tools/openapi";

const PreviewSchema = z.object({ text: z.string().min(1, "Paste or upload an OpenAPI document").max(MAX_DOCUMENT_CHARS) });

/** Parses a document and lists its operations for the import checklist; stores nothing. */
export const POST = withMember("tool.manage", async (request, member) => {
  const body = await parseJson(request, PreviewSchema, MAX_DOCUMENT_CHARS + 1024);
  if (body instanceof Response) return body;
  return NextResponse.json(await previewOpenApi(member, body.text));
});
