import { apiError } from "@/lib/api/errors";
import { publicRoute } from "@/lib/http/route";

export const dynamic = "force-dynamic";

/**
 * Any /api/v1 path no route file matches (Next prefers every static and [id] route over this
 * catch-all): a JSON 404 in the API's error shape instead of Next's HTML page, for every method.
 * The path is not echoed back (it may hold anything a client sent).
 */
const notFound = publicRoute("answers only that no such API endpoint exists", async (request: Request) =>
  apiError(404, "not_found", `There is no ${request.method} endpoint at this path in the Weft API v1. See /api/v1/openapi.json for the endpoints.`),
);

export const GET = notFound;
export const POST = notFound;
export const PUT = notFound;
export const PATCH = notFound;
export const DELETE = notFound;
export const OPTIONS = notFound;
