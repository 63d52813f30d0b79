import { NodeError } from "@/lib/engine/errors";
import type { HttpRequest, HttpResponse } from "@/lib/engine/ports";
import { createGuardedFetch, findSsrfError, type FetchLike } from "@/lib/net/guarded-fetch";
import { assertSafeUrl, SsrfError, type GuardOptions } from "@/lib/net/ssrf";
import { HTTP_LIMITS } from "./definition";

/**
 * The `http` port of EngineServices: outbound requests of HTTP nodes (server only).
 *
 * Redirects are followed by hand so that every hop is checked by the SSRF guard before it is
 * fetched (a clear `network_blocked` error naming the hop), and each connection is checked again
 * at connect time by the guarded fetch (DNS answers that change between check and call).
 */

export interface HttpServiceOptions {
  /** Allow loopback/private/link-local targets (WEFT_ALLOW_PRIVATE_NETWORK). */
  allowPrivate: boolean;
  /**
   * The workspace's network allow-list (lib/net/allow-list.ts), or how to load it: loaded once per
   * request, so an admin's change applies to the next request. Every hop is checked against it.
   */
  allowList?: readonly string[] | (() => Promise<readonly string[]>);
  /** DNS resolver for the checks; tests pass a fake. */
  resolve?: GuardOptions["resolve"];
  maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that must not follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

function blocked(error: SsrfError, hop: number): NodeError {
  const where = hop === 0 ? "" : ` (after a redirect)`;
  return new NodeError("network_blocked", `${error.message}${where}`, { cause: error });
}

/** Reads a body up to `limit` bytes; more than that fails without buffering the rest. */
async function readLimited(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > limit) {
    await response.body?.cancel().catch(() => undefined);
    throw tooLarge(limit, declared);
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

function tooLarge(limit: number, size?: number): NodeError {
  const what = size === undefined ? "more than" : `${size} bytes, more than`;
  return new NodeError("http_error", `The response body is ${what} the limit of ${limit} bytes (raise "Max response size" up to ${HTTP_LIMITS.maxResponseBytes}).`);
}

function networkError(error: unknown, url: URL, hop: number): NodeError {
  const ssrf = findSsrfError(error);
  if (ssrf) return blocked(ssrf, hop);
  let cause: unknown = error;
  let code: string | undefined;
  for (let depth = 0; cause && depth < 5 && !code; depth++) {
    code = (cause as { code?: unknown }).code as string | undefined;
    cause = (cause as { cause?: unknown }).cause;
  }
  const reason = code ? ` (${code})` : "";
  return new NodeError("http_unavailable", `Could not reach ${url.host}${reason}.`, { cause: error });
}

/** The list to check against; not read at all when the operator opened every private address anyway. */
async function loadAllowList(options: HttpServiceOptions): Promise<readonly string[]> {
  if (options.allowPrivate) return [];
  return typeof options.allowList === "function" ? options.allowList() : (options.allowList ?? []);
}

export function createHttpService(options: HttpServiceOptions): (request: HttpRequest) => Promise<HttpResponse> {
  const maxRedirects = options.maxRedirects ?? HTTP_LIMITS.maxRedirects;

  return async (request) => {
    const guard: GuardOptions = { allowPrivate: options.allowPrivate, allowList: await loadAllowList(options), resolve: options.resolve };
    const guardedFetch: FetchLike = createGuardedFetch(guard);
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = AbortSignal.any([request.signal, timeout]);
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      throw new NodeError("http_error", `"${request.url}" is not a valid URL.`);
    }
    let method = request.method.toUpperCase();
    let body = request.body;
    const headers = { ...request.headers };

    try {
      for (let hop = 0; ; hop++) {
        try {
          // Up front for a clear message naming the hop; the guarded fetch checks again at connect time.
          await assertSafeUrl(url, guard);
        } catch (error) {
          if (error instanceof SsrfError) throw blocked(error, hop);
          throw error;
        }
        // Secret-host check (lib/secrets/egress.ts): on the final URL of every hop, before anything is sent.
        await request.beforeSend?.({ url, method, headers, body });
        let response: Response;
        try {
          response = await guardedFetch(url, { method, headers, body, redirect: "manual", signal });
        } catch (error) {
          if (signal.aborted) throw error;
          throw networkError(error, url, hop);
        }
        const location = response.headers.get("location");
        if (REDIRECTS.has(response.status) && location) {
          await response.body?.cancel().catch(() => undefined);
          if (hop >= maxRedirects) throw new NodeError("http_error", `Too many redirects (more than ${maxRedirects}); the last one pointed to ${location}.`);
          const next = new URL(location, url);
          if (next.origin !== url.origin) {
            for (const name of Object.keys(headers)) if (CREDENTIAL_HEADERS.includes(name.toLowerCase())) delete headers[name];
          }
          // Fetch semantics: 303 (and 301/302 after a POST) become a GET without a body.
          if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === "POST")) {
            if (method !== "HEAD") method = "GET";
            body = undefined;
            for (const name of Object.keys(headers)) if (name.toLowerCase() === "content-type") delete headers[name];
          }
          url = next;
          continue;
        }
        const text = method === "HEAD" ? "" : await readLimited(response, request.maxResponseBytes);
        const out: Record<string, string> = {};
        response.headers.forEach((value, name) => (out[name.toLowerCase()] = value));
        return { status: response.status, headers: out, body: text, url: url.toString() };
      }
    } catch (error) {
      if (error instanceof NodeError) throw error;
      if (request.signal.aborted) throw request.signal.reason instanceof Error ? request.signal.reason : new NodeError("cancelled", "The run was cancelled.");
      if (timeout.aborted) {
        throw new NodeError("timeout", `The HTTP request to ${url.host} did not finish within ${(request.timeoutMs / 1000).toFixed(1).replace(/\.0$/, "")} s.`, { cause: error });
      }
      throw networkError(error, url, 0);
    }
  };
}
