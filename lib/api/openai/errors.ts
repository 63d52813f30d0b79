import type { ApiCaller } from "@/lib/api-keys/authenticate";
import type { Action } from "@/lib/auth/permissions";
import { withAccess, type RouteHandler } from "@/lib/http/route";
import { withApiKey } from "../route";

/**
 * Errors of the OpenAI-compatible endpoint in OpenAI's shape, `{ error: { message, type, param, code } }`,
 * so OpenAI clients show them as they show OpenAI's own. `x-should-retry: false` stops the official
 * clients from retrying what would start the workflow again (they retry 409 and 5xx by default).
 */

const TYPE_BY_STATUS: Record<number, string> = {
  400: "invalid_request_error",
  401: "invalid_request_error",
  402: "insufficient_quota",
  403: "permission_error",
  404: "invalid_request_error",
  409: "invalid_request_error",
  413: "invalid_request_error",
  429: "rate_limit_error",
};

export function openAiError(status: number, message: string, code: string | null, param: string | null = null): Response {
  const type = TYPE_BY_STATUS[status] ?? (status >= 500 ? "server_error" : "invalid_request_error");
  return Response.json({ error: { message, type, param, code } }, { status, headers: { "x-should-retry": "false" } });
}

interface WeftErrorBody {
  error?: { code?: string; message?: string; type?: string; issues?: { path?: string; message?: string }[] };
}

/** A Weft-shaped error response (from the key check, body parsing or a service error) in OpenAI's shape. */
async function toOpenAiShape(response: Response): Promise<Response> {
  if (response.status < 400 || !response.headers.get("content-type")?.includes("application/json")) return response;
  const body = (await response.clone().json().catch(() => null)) as WeftErrorBody | null;
  const error = body?.error;
  if (!error || error.type) return response;
  const issue = error.issues?.[0];
  const message = issue?.message ? `${error.message ?? "Invalid request."} ${issue.path ? `${issue.path}: ` : ""}${issue.message}` : (error.message ?? "Request failed.");
  const code = response.status === 401 ? "invalid_api_key" : (error.code ?? null);
  const shaped = openAiError(response.status, message, code, issue?.path || null);
  // Keep the wrapper's headers (WWW-Authenticate, HSTS); only the body changes.
  for (const [name, value] of response.headers) if (name !== "content-type" && name !== "content-length") shaped.headers.set(name, value);
  return shaped;
}

/** `withApiKey` (same key, scope and role checks, recorded for the route walks) answering errors in OpenAI's shape. */
export function withOpenAiKey<Ctx>(action: Action, handler: (request: Request, caller: ApiCaller, context: Ctx) => Promise<Response>): RouteHandler<Ctx> {
  const inner = withApiKey(action, handler);
  return withAccess(inner.access, async (request: Request, context: Ctx) => toOpenAiShape(await (inner as (r: Request, c: Ctx) => Promise<Response>)(request, context)));
}
