import { NodeError } from "@/lib/engine/errors";
import { evaluateExpression } from "@/lib/engine/expression";
import type { HttpResponse } from "@/lib/engine/ports";
import { resolvePath } from "@/lib/engine/template";
import { HEADER_NAME } from "@/lib/nodes/http/definition";
import { isJsonContentType, statusError } from "@/lib/nodes/http/execute";
import type { ToolCallContext, ToolCallOutcome } from "./context";
import type { ResponseMapping, ToolAuth } from "./schema";

/**
 * One HTTP exchange of an `http` or `openapi` tool: auth from a secret reference, the invocation's
 * Idempotency-Key, the guarded client, and the HTTP node's own status and body rules (429/5xx
 * retryable, JSON parsed by content type). The trace shows the request with credential headers
 * masked; the port redacts secret values from everything on top of that.
 */

export interface ToolHttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
  timeoutMs: number;
  maxResponseBytes: number;
}

const CREDENTIAL_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"]);
const SNIPPET = 2_000;

async function secretFor(ctx: ToolCallContext, name: string, what: string): Promise<string> {
  if (!name) {
    throw new NodeError("tool_error", `The tool ${ctx.tool.name} needs credentials (${what}) but no secret is chosen: pick one in its auth settings.`);
  }
  return ctx.secrets.resolve(name);
}

/** Adds the credentials an auth setting describes (the secret is resolved here, on the server). */
export async function applyAuth(ctx: ToolCallContext, auth: ToolAuth, request: ToolHttpRequest): Promise<void> {
  switch (auth.type) {
    case "none":
      return;
    case "bearer":
      request.headers.Authorization = `Bearer ${await secretFor(ctx, auth.secret, "a bearer token")}`;
      return;
    case "apiKey": {
      const key = await secretFor(ctx, auth.secret, `the API key ${auth.name}`);
      if (auth.in === "header") request.headers[auth.name] = key;
      else request.url.searchParams.set(auth.name, key);
      return;
    }
    case "basic": {
      const password = await secretFor(ctx, auth.secret, "a password");
      request.headers.Authorization = `Basic ${Buffer.from(`${auth.username}:${password}`).toString("base64")}`;
      return;
    }
  }
}

export function checkHeaders(headers: Record<string, string>): void {
  for (const [key, value] of Object.entries(headers)) {
    if (!HEADER_NAME.test(key)) throw new NodeError("tool_error", `"${key}" is not a valid header name.`);
    if (/[\r\n]/.test(value)) throw new NodeError("tool_error", `The value of header "${key}" contains a line break.`);
  }
}

const masked = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, CREDENTIAL_HEADERS.has(k.toLowerCase()) ? "[redacted]" : v]));

const snippet = (text: string) => (text.length > SNIPPET ? `${text.slice(0, SNIPPET)}…` : text);
/** Bytes are shown as their size in the trace: they may be a file, and are rarely readable. */
const shownBody = (body: string | Uint8Array) => (typeof body === "string" ? snippet(body) : `[${body.byteLength} bytes]`);

/** HTTP node codes become tool codes: transient failures stay retryable, the rest is the tool's error. */
function asToolError(error: NodeError, trace: Record<string, unknown>): NodeError {
  const transient = error.code === "http_unavailable" || error.code === "timeout";
  // A refused secret keeps its own code: the fix is in Settings → Secrets, not in the tool.
  const kept = error.code === "cancelled" || error.code === "secret_denied";
  const code = transient ? "tool_unavailable" : kept ? error.code : "tool_error";
  return new NodeError(code, error.message, {
    retryable: transient ? true : error.retryable,
    cause: error,
    retryAfterMs: error.retryAfterMs,
    trace: { detail: trace },
  });
}

async function mapResponse(mapping: ResponseMapping, body: unknown, signal: AbortSignal): Promise<unknown> {
  switch (mapping.mode) {
    case "body":
      return body;
    case "path": {
      // A path into the body: `data.items[0].name`.
      if (typeof body !== "object" || body === null) throw new NodeError("tool_error", `The response is not JSON, so the path "${mapping.path}" cannot be read from it.`);
      const value = resolvePath({ body }, `body.${mapping.path}`);
      return value === undefined ? null : value;
    }
    case "jsonata":
      try {
        // The body is the expression's input document: `data.items[0].name`, `$sum(items.price)`.
        return (await evaluateExpression(mapping.expression, body as Record<string, unknown>, { signal })) ?? null;
      } catch (error) {
        if (error instanceof NodeError) throw new NodeError("tool_error", `The response mapping failed: ${error.message}`, { cause: error });
        throw error;
      }
  }
}

/** Sends the request and turns the answer into the tool's output (parsed body, then the mapping). */
export async function sendToolRequest(ctx: ToolCallContext, request: ToolHttpRequest, mapping: ResponseMapping = { mode: "body" }): Promise<ToolCallOutcome> {
  const method = request.method.toUpperCase();
  if (method !== "GET" && method !== "HEAD" && !Object.keys(request.headers).some((h) => h.toLowerCase() === "idempotency-key")) {
    // A re-executed step (or agent turn) sends the same key, so the receiver can drop the repeat.
    request.headers["Idempotency-Key"] = ctx.idempotencyKey;
  }
  checkHeaders(request.headers);
  const shown = { method, url: request.url.toString(), headers: masked(request.headers), ...(request.body === undefined ? {} : { body: shownBody(request.body) }) };
  let response: HttpResponse;
  try {
    response = await ctx.http({
      method,
      url: request.url.toString(),
      headers: request.headers,
      body: request.body,
      timeoutMs: request.timeoutMs,
      maxResponseBytes: request.maxResponseBytes,
      signal: ctx.signal,
    });
  } catch (error) {
    if (error instanceof NodeError) throw asToolError(error, { request: shown });
    throw error;
  }
  const answered = { status: response.status, url: response.url, headers: response.headers };
  if (response.status >= 400) throw asToolError(statusError(response), { request: shown, response: { ...answered, body: snippet(response.body) } });
  let body: unknown = response.body;
  if (isJsonContentType(response.headers["content-type"]) && response.body.trim()) {
    try {
      body = JSON.parse(response.body);
    } catch (error) {
      throw new NodeError("tool_error", `The response says it is JSON but does not parse: ${(error as Error).message}`, {
        trace: { detail: { request: shown, response: { ...answered, body: snippet(response.body) } } },
      });
    }
  }
  const output = await mapResponse(mapping, body, ctx.signal);
  return { output, detail: { request: shown, response: { ...answered, body: typeof body === "string" ? snippet(body) : body } } };
}
