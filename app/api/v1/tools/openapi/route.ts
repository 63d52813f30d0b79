import { withApiKey } from "@/lib/api/route";
import { OpenApiImportRequestSchema } from "@/lib/tools/api-schemas";
import { importOpenApi, readOpenApiRequest } from "@/lib/tools/openapi";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/tools/openapi: imports (or re-imports) operations of an OpenAPI document as tools → 201.
 * JSON `{ text | url, … }`, or multipart/form-data with the file part `document` and a JSON part `options`.
 */
export const POST = withApiKey("tool.manage", async (request, caller) => {
  const body = await readOpenApiRequest(request, OpenApiImportRequestSchema);
  if (body instanceof Response) return body;
  return Response.json(await importOpenApi(caller.member, body), { status: 201 });
});
