import { buildOpenApiDocument } from "@/lib/api/openapi";

/** GET /api/v1/openapi.json: the public API's OpenAPI 3.1 document (no key needed). */
export function GET(): Response {
  return Response.json(buildOpenApiDocument(), { headers: { "Cache-Control": "public, max-age=300" } });
}
