import { z } from "zod";

/**
 * What the widget's embed page, the chat API, proxy.ts and the editor agree on (pure, no imports
 * beyond zod): the two request headers of the embedded chat, the visitor id's shape, and the
 * allowed origins.
 *
 * The embedded chat calls /api/chat/<slug>/… with `X-Weft-Embed-Origin` (the embedding page's
 * origin) and `X-Weft-Visitor` (the browser's random widget visitor id); see lib/chat/embed.ts.
 */

export const EMBED_ORIGIN_HEADER = "x-weft-embed-origin";
export const EMBED_VISITOR_HEADER = "x-weft-visitor";

/** A visitor id: a random UUID (the hosted page's cookie, the widget's localStorage). */
export const VISITOR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The websites allowed to embed a chat app's widget, as exact origins (`https://shop.example.com`,
 * `http://localhost:8080`). They become the embed page's CSP `frame-ancestors` list verbatim, so
 * each one is normalised by the URL parser and must be nothing but scheme, host and port: no path,
 * query, credentials or wildcard (a `*` would widen frame-ancestors beyond what the API check
 * accepts).
 */

export const MAX_ALLOWED_ORIGINS = 20;

// After URL parsing: ASCII (IDNs are punycoded) labels, or a bracketed IPv6 address.
const HOST = /^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*|\[[0-9a-f:.]+\])$/;

/** The origin `value` names, or null when it is not exactly an http(s) origin. */
export function normalOrigin(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (url.username || url.password || url.search || url.hash || url.pathname !== "/" || !HOST.test(url.hostname)) return null;
  // "https://a.com/" and "https://a.com" are the same origin; a path ("https://a.com/shop") is refused above.
  return url.origin;
}

export const AllowedOriginSchema = z.string().transform((value, ctx) => {
  const origin = normalOrigin(value);
  if (origin) return origin;
  ctx.addIssue({ code: "custom", message: `"${value.slice(0, 100)}" is not a website origin such as https://shop.example.com (scheme, host and port only, no path or wildcard)` });
  return z.NEVER;
});

export const AllowedOriginsSchema = z
  .array(AllowedOriginSchema)
  .max(MAX_ALLOWED_ORIGINS, `at most ${MAX_ALLOWED_ORIGINS} allowed origins`)
  .transform((origins) => [...new Set(origins)]);

/** The embed page's frame-ancestors sources: the allowed origins of a link-access app, else none. */
export function frameAncestorsOf(app: { access: string; allowedOrigins: readonly string[] } | null): string[] {
  return app && app.access === "link" && app.allowedOrigins.length > 0 ? [...app.allowedOrigins] : ["'none'"];
}
