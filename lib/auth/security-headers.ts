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
 * no framing, and fetch/EventSource only to this origin. Styles need 'unsafe-inline': React
 * Flow positions every node and edge with inline styles. Development adds 'unsafe-eval'
 * (React's dev tooling) and ws: (hot reload).
 */
export function contentSecurityPolicy({ development }: { development: boolean }): string {
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
    "frame-ancestors": ["'none'"],
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
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=()" },
  ];
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
