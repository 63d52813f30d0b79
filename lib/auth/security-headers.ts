/** A response header as next.config.ts `headers()` takes it. */
export interface HeaderEntry {
  key: string;
  value: string;
}

/**
 * The Content-Security-Policy of every page. Scripts: 'self' plus 'unsafe-inline', because Next
 * streams its flight data and bootstrap as inline scripts on every page; the alternative, a
 * per-request nonce set in proxy.ts, forces every page to render dynamically and leaves
 * prerendered pages (the 404) without a nonce, i.e. broken. What the policy still buys: no
 * script, style, font or image from another origin, no plugins, no <base> or form hijacking,
 * no framing (except the chat widget's embed page, framed by the origins its app allows: see
 * embedPageHeaders), and fetch/EventSource only to this origin. Styles need 'unsafe-inline': React
 * Flow positions every node and edge with inline styles. Development adds 'unsafe-eval'
 * (React's dev tooling) and ws: (hot reload).
 */
export function contentSecurityPolicy({ development, frameAncestors = ["'none'"] }: { development: boolean; frameAncestors?: readonly string[] }): string {
  const directives: Record<string, string[]> = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'", ...(development ? ["'unsafe-eval'"] : [])],
    "style-src": ["'self'", "'unsafe-inline'"],
    // data: for the inline favicon (app/layout.tsx) and node icons; blob: for exported files.
    "img-src": ["'self'", "data:", "blob:"],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'", ...(development ? ["ws:"] : [])],
    "worker-src": ["'self'", "blob:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": [...frameAncestors],
  };
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(" ")}`)
    .join("; ");
}

/** Headers for every response (next.config.ts); they do not depend on the runtime environment. */
export function securityHeaders({ development }: { development: boolean }): HeaderEntry[] {
  return [
    { key: "Content-Security-Policy", value: contentSecurityPolicy({ development }) },
    // frame-ancestors 'none' above, and X-Frame-Options for browsers that predate it.
    { key: "X-Frame-Options", value: "DENY" },
    ...commonHeaders,
  ];
}

const commonHeaders: HeaderEntry[] = [
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
];

/** The chat widget's embed page (app/chat/[slug]/embed), the one page other websites may frame. */
export const EMBED_PAGE_SOURCE = "/chat/:slug/embed";
/** Every other path (next.config.ts `source` syntax): they keep X-Frame-Options: DENY. */
export const NOT_EMBED_PAGE_SOURCE = "/:path((?!chat/[^/]+/embed/?$).*)";

/**
 * The embed page's build-time headers: no X-Frame-Options (it would forbid every embedding, and it
 * cannot list origins) and a CSP that still says frame-ancestors 'none', so the page fails closed;
 * proxy.ts replaces that CSP per request with the app's allowed origins (lib/chat/embed-policy.ts).
 */
export function embedPageHeaders({ development }: { development: boolean }): HeaderEntry[] {
  return [{ key: "Content-Security-Policy", value: contentSecurityPolicy({ development }) }, ...commonHeaders];
}

/**
 * HSTS, only when the public URL is https (on http it would be ignored at best, and a wrong
 * BETTER_AUTH_URL must not pin a development host to https). Set at run time (withTransportSecurity),
 * because next.config.ts headers are frozen at build time and the URL is a run-time setting.
 */
export function strictTransportSecurity(appUrl: string): string | null {
  return new URL(appUrl).protocol === "https:" ? "max-age=63072000; includeSubDomains" : null;
}

/**
 * Adds HSTS to a response when the app is served over https: by proxy.ts for pages and /api, and
 * by the public API's route wrapper (lib/api/route.ts) for /api/v1, which the proxy skips.
 */
export function withTransportSecurity<R extends Response>(response: R, appUrl: string): R {
  const hsts = strictTransportSecurity(appUrl);
  if (hsts) response.headers.set("Strict-Transport-Security", hsts);
  return response;
}
