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
   * Exact `host` or `host:port` entries an administrator allows even when they are private
   * (an internal API). Matching hops skip the address check; others are checked as usual.
   */
  allowHosts?: readonly string[];
  /**
   * A further allow-list check (tools: a workspace's hosts and CIDRs). Hops it accepts are treated
   * like `allowHosts` entries: private targets allowed, no connect-time address check.
   */
  allow?: (url: URL) => boolean | Promise<boolean>;
  /** DNS resolver for the up-front check; tests pass a fake. */
  resolve?: GuardOptions["resolve"];
  maxRedirects?: number;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that must not follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ["authorization", "cookie", "proxy-authorization"];

function allowListed(url: URL, allowHosts: readonly string[]): boolean {
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return allowHosts.includes(url.hostname) || allowHosts.includes(`${url.hostname}:${port}`);
}

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

export function createHttpService(options: HttpServiceOptions): (request: HttpRequest) => Promise<HttpResponse> {
  const strict = createGuardedFetch({ allowPrivate: options.allowPrivate });
  // Allow-listed hosts are private by definition; their connections skip the connect-time check.
  const open: FetchLike = options.allowPrivate ? strict : createGuardedFetch({ allowPrivate: true });
  const allowHosts = options.allowHosts ?? [];
  const maxRedirects = options.maxRedirects ?? HTTP_LIMITS.maxRedirects;

  return async (request) => {
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
        const listed = allowListed(url, allowHosts) || ((await options.allow?.(url)) ?? false);
        if (!listed) {
          try {
            await assertSafeUrl(url, { allowPrivate: options.allowPrivate, resolve: options.resolve });
          } catch (error) {
            if (error instanceof SsrfError) throw blocked(error, hop);
            throw error;
          }
        } else if (url.protocol !== "http:" && url.protocol !== "https:") {
          throw new NodeError("network_blocked", `Only http and https URLs are allowed (got ${url.protocol}).`);
        }
        // Secret-host check (lib/secrets/egress.ts): on the final URL of every hop, before anything is sent.
        await request.beforeSend?.({ url, method, headers, body });
        let response: Response;
        try {
          response = await (listed ? open : strict)(url, { method, headers, body, redirect: "manual", signal });
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
