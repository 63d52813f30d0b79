import { NextResponse } from "next/server";
import { withMember } from "@/lib/auth/http";
import { OpenApiPreviewSchema, previewOpenApi, readOpenApiRequest } from "@/lib/tools/openapi";

/**
 * Parses a document and lists its operations for the import checklist; stores nothing. The document
 * comes as JSON `{ text }` or `{ url }`, or as a multipart upload (file part `document`).
 */
export const POST = withMember("tool.manage", async (request, member) => {
  const body = await readOpenApiRequest(request, OpenApiPreviewSchema);
  if (body instanceof Response) return body;
  return NextResponse.json(await previewOpenApi(member, body));
});
