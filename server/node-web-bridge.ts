import type { IncomingMessage, ServerResponse } from "node:http";
import { Readable } from "node:stream";

/**
 * Node's request/response ↔ the Fetch API's Request/Response that route handlers speak, for the
 * routes server/web.ts serves without Next. What Next would do is kept: the headers as Next hands
 * them to a handler (X-Forwarded-For with the peer appended, lib/auth/peer-address-hook.ts), a
 * streamed body (handlers enforce their own size limits while reading), `request.signal` aborted
 * when the client goes away, streamed responses (SSE) flushed chunk by chunk, and the headers of
 * next.config.ts's `headers()` on every response.
 */

/** Bodies up to this size are read before the handler runs (cheaper than a stream); larger or unsized ones are streamed. */
const BUFFERED_BODY_BYTES = 64 * 1024;

export interface HeaderRule {
  pattern: RegExp;
  headers: { key: string; value: string }[];
}

function requestHeaders(req: IncomingMessage): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  return headers;
}

function readSmallBody(req: IncomingMessage): Promise<Uint8Array<ArrayBuffer>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      resolve(new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength));
    });
    req.on("error", reject);
    req.on("close", () => {
      if (!req.complete) reject(new Error("The client closed the request before its body was complete."));
    });
  });
}

/** The Fetch Request for `req` (null when its Host makes no valid URL), aborted when the client disconnects. */
export async function toWebRequest(req: IncomingMessage, res: ServerResponse): Promise<Request | null> {
  const controller = new AbortController();
  res.on("close", () => {
    if (!res.writableFinished) controller.abort();
  });
  const method = req.method ?? "GET";
  // As Next does: https when a proxy in front says so (X-Forwarded-Proto), else http.
  const protocol = String(req.headers["x-forwarded-proto"] ?? "").includes("https") ? "https" : "http";
  let url: URL;
  try {
    url = new URL(req.url ?? "/", `${protocol}://${req.headers.host ?? "localhost"}`);
  } catch {
    return null;
  }
  const init: RequestInit & { duplex?: "half" } = { method, headers: requestHeaders(req), signal: controller.signal };
  if (method !== "GET" && method !== "HEAD") {
    const length = Number(req.headers["content-length"]);
    if (Number.isFinite(length) && length <= BUFFERED_BODY_BYTES && !req.headers["transfer-encoding"]) init.body = await readSmallBody(req);
    else {
      init.body = Readable.toWeb(req) as ReadableStream<Uint8Array>;
      init.duplex = "half";
    }
  }
  return new Request(url, init);
}

/**
 * Writes `response` to `res`. A one-chunk body (a JSON answer) goes out with its headers in one
 * write; a stream is written as each chunk arrives, so Server-Sent Events are not held back.
 */
export async function sendWebResponse(res: ServerResponse, response: Response, pathname: string, rules: HeaderRule[], headOnly: boolean): Promise<void> {
  for (const rule of rules) if (rule.pattern.test(pathname)) for (const { key, value } of rule.headers) res.setHeader(key, value);
  res.statusCode = response.status;
  if (response.statusText) res.statusMessage = response.statusText;
  const cookies = response.headers.getSetCookie();
  response.headers.forEach((value, name) => {
    if (name !== "set-cookie") res.setHeader(name, value);
  });
  if (cookies.length > 0) res.setHeader("set-cookie", cookies);
  if (!response.body || headOnly) {
    await response.body?.cancel();
    res.end();
    return;
  }
  const reader = response.body.getReader();
  res.once("close", () => void reader.cancel().catch(() => undefined));
  // Corked until the current microtasks are done: a body that is already complete (Response.json)
  // leaves with its headers and the chunked terminator in one write, a stream's first chunk at once.
  res.cork();
  process.nextTick(() => res.uncork());
  for (;;) {
    const { done, value } = await reader.read();
    if (done || res.destroyed) break;
    if (!res.write(value)) await new Promise((resolve) => res.once("drain", resolve).once("close", resolve));
  }
  res.end();
}

/** next.config.ts's `headers()`, as Next compiled them into routes-manifest.json. */
export function headerRules(manifest: { headers?: { regex: string; headers: { key: string; value: string }[] }[] }): HeaderRule[] {
  return (manifest.headers ?? []).map((rule) => ({ pattern: new RegExp(rule.regex), headers: rule.headers }));
}
