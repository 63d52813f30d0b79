import { NodeError } from "@/lib/engine/errors";
import type { NodeContext, NodeExecutor } from "@/lib/engine/node-kit";
import type { HttpResponse } from "@/lib/engine/ports";
import { renderWithSecrets } from "@/lib/secrets/refs";
import { HEADER_NAME, type HttpConfig, type KeyValue } from "./definition";

/**
 * Renders the request from templates, sends it through the `http` port (SSRF guard, redirects,
 * size limit live there) and parses the body by content type. Statuses map to error codes:
 * 429 and 5xx are retryable (`http_unavailable`), other 4xx are not (`http_error`).
 */

/** Header values that never appear in a run trace. */
const SECRET_HEADERS = new Set(["authorization", "proxy-authorization", "cookie", "x-api-key", "api-key"]);
const BODY_SNIPPET = 300;

async function renderPairs(ctx: NodeContext<HttpConfig>, pairs: readonly KeyValue[]): Promise<[string, string][]> {
  const out: [string, string][] = [];
  for (const pair of pairs) {
    const key = (await ctx.render(pair.key)).trim();
    if (!key) continue;
    out.push([key, await ctx.render(pair.value)]);
  }
  return out;
}

function hasHeader(headers: Record<string, string>, name: string): boolean {
  return Object.keys(headers).some((h) => h.toLowerCase() === name);
}

export function isJsonContentType(contentType: string | undefined): boolean {
  const type = (contentType ?? "").split(";")[0].trim().toLowerCase();
  return type === "application/json" || type.endsWith("+json") || type === "text/json";
}

function snippet(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > BODY_SNIPPET ? `${flat.slice(0, BODY_SNIPPET)}…` : flat;
}

/** Retry-After as milliseconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

export function statusError(response: HttpResponse): NodeError {
  const body = snippet(response.body);
  const message = `The server answered ${response.status}${body ? `: ${body}` : "."}`;
  if (response.status === 429 || response.status >= 500) {
    // The retry policy waits at least as long as the server asked.
    return new NodeError("http_unavailable", message, { retryAfterMs: retryAfterMs(response.headers["retry-after"]) });
  }
  return new NodeError("http_error", message);
}

/** Resolves `{{ secrets.NAME }}` through the run's secret port (values are then redacted from the trace). */
function secretResolver(ctx: NodeContext<HttpConfig>): (name: string) => Promise<string> {
  return async (name) => {
    if (!ctx.services.secrets) throw new NodeError("secret_not_found", `{{ secrets.${name} }} cannot be resolved: secrets are not available in this environment.`);
    return ctx.services.secrets.resolve(name);
  };
}

/** Replaces resolved secret values in anything recorded (a server may echo a token back in its body or error). */
function scrubber(ctx: NodeContext<HttpConfig>): <T>(value: T) => T {
  const port = ctx.services.secrets;
  return (value) => (port ? port.redact(value) : value);
}

function scrubError(error: NodeError, scrub: <T>(value: T) => T): NodeError {
  return new NodeError(error.code, scrub(error.message), { retryable: error.retryable, cause: error.cause, trace: scrub(error.trace), retryAfterMs: error.retryAfterMs });
}

function redact(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, SECRET_HEADERS.has(k.toLowerCase()) ? "[redacted]" : v]));
}

export const executeHttp: NodeExecutor<HttpConfig> = async (ctx) => {
  const scrub = scrubber(ctx);
  try {
    const result = await sendHttp(ctx);
    return { ...result, output: scrub(result.output), input: scrub(result.input), detail: scrub(result.detail) };
  } catch (error) {
    throw error instanceof NodeError ? scrubError(error, scrub) : error;
  }
};

const sendHttp: NodeExecutor<HttpConfig> = async (ctx) => {
  const { config } = ctx;
  const rendered = (await ctx.render(config.url)).trim();
  let url: URL;
  try {
    url = new URL(rendered);
  } catch {
    throw new NodeError("http_error", `The URL "${rendered}" is not a valid URL.`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new NodeError("network_blocked", `Only http and https URLs are allowed (got ${url.protocol}).`);
  }
  for (const [key, value] of await renderPairs(ctx, config.query)) url.searchParams.append(key, value);

  const headers: Record<string, string> = {};
  const headerPairs: [string, string][] = [];
  for (const pair of config.headers) {
    const key = (await ctx.render(pair.key)).trim();
    if (key) headerPairs.push([key, await renderWithSecrets(pair.value, ctx.render, secretResolver(ctx))]);
  }
  for (const [key, value] of headerPairs) {
    if (!HEADER_NAME.test(key)) throw new NodeError("http_error", `"${key}" is not a valid header name.`);
    if (/[\r\n]/.test(value)) throw new NodeError("http_error", `The value of header "${key}" contains a line break.`);
    headers[key] = value;
  }

  let body: string | undefined;
  switch (config.bodyType) {
    case "none":
      break;
    case "json": {
      body = await ctx.render(config.body);
      try {
        JSON.parse(body);
      } catch (error) {
        throw new NodeError("template_error", `The JSON body is not valid JSON after rendering: ${(error as Error).message}`, { cause: error });
      }
      if (!hasHeader(headers, "content-type")) headers["content-type"] = "application/json";
      break;
    }
    case "form":
      body = new URLSearchParams(await renderPairs(ctx, config.form)).toString();
      if (!hasHeader(headers, "content-type")) headers["content-type"] = "application/x-www-form-urlencoded";
      break;
    case "text":
      body = await ctx.render(config.body);
      if (!hasHeader(headers, "content-type")) headers["content-type"] = "text/plain; charset=utf-8";
      break;
  }
  // A step re-executed after a crash sends the same key, so the receiver can drop the repeat.
  if (config.method !== "GET" && config.method !== "HEAD" && !hasHeader(headers, "idempotency-key")) {
    headers["Idempotency-Key"] = ctx.idempotencyKey;
  }

  const input = { method: config.method, url: url.toString(), headers: redact(headers), ...(body === undefined ? {} : { body }) };
  if (!ctx.services.http) throw new NodeError("internal", "HTTP requests are not available in this environment.", { trace: { input } });

  let response: HttpResponse;
  try {
    response = await ctx.services.http({
      method: config.method,
      url: url.toString(),
      headers,
      body,
      timeoutMs: config.timeoutMs,
      maxResponseBytes: config.maxResponseBytes,
      signal: ctx.signal,
      // Refuses, before each hop is sent, any secret bound for a host outside its allowed hosts.
      beforeSend: ctx.services.secrets?.checkEgress,
    });
  } catch (error) {
    if (error instanceof NodeError) throw error.withTrace({ input });
    throw error;
  }
  const detail = { status: response.status, url: response.url, headers: response.headers };
  if (response.status >= 400) throw statusError(response).withTrace({ input, detail: { ...detail, body: snippet(response.body) } });

  let parsed: unknown = response.body;
  if (isJsonContentType(response.headers["content-type"]) && response.body.trim()) {
    try {
      parsed = JSON.parse(response.body);
    } catch (error) {
      throw new NodeError("output_invalid", `The response says it is JSON but does not parse: ${(error as Error).message}`, {
        cause: error,
        trace: { input, detail: { ...detail, body: snippet(response.body) } },
      });
    }
  }
  return { output: { status: response.status, headers: response.headers, body: parsed }, input, detail };
};
