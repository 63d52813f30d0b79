import { buildOpenApiDocument } from "@/lib/api/openapi";
import { publicRoute } from "@/lib/http/route";

/** GET /api/v1/openapi.json: the public API's OpenAPI 3.1 document (no key needed). */
export const GET = publicRoute("the public API's description, the same for everyone", async () =>
  Response.json(buildOpenApiDocument(), { headers: { "Cache-Control": "public, max-age=300" } }),
);
