import { withApiKey } from "@/lib/api/route";
import { parseJson } from "@/lib/auth/http";
import { OpenApiImportRequestSchema } from "@/lib/tools/api-schemas";
import { MAX_DOCUMENT_CHARS, importOpenApi } from "@/lib/tools/openapi";

export const dynamic = "force-dynamic";

/** POST /api/v1/tools/openapi: imports (or re-imports) operations of an OpenAPI document as tools → 201. */
export const POST = withApiKey("tool.manage", async (request, caller) => {
  const body = await parseJson(request, OpenApiImportRequestSchema, MAX_DOCUMENT_CHARS + 64 * 1024);
  if (body instanceof Response) return body;
  return Response.json(await importOpenApi(caller.member, body), { status: 201 });
});
