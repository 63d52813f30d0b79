import { jsonError } from "@/lib/auth/json-error";

const STATE_CHANGING = new Set(["POST", "PUT", "PATCH", "DELETE"]);

/**
 * Paths whose state-changing requests must come from the app's own pages. Not /api/v1 and not the
 * MCP server /api/mcp (API keys in the Authorization header, no cookies, meant to be called from
 * anywhere), not /api/hooks (webhooks: called from other systems, authenticated per hook, never by
 * cookie) and not /api/auth
 * (better-auth checks Origin itself against trustedOrigins, in its originCheck middleware).
 */
export function needsSameOrigin(pathname: string): boolean {
  if (!pathname.startsWith("/api/")) return false;
  return !(pathname.startsWith("/api/v1/") || pathname === "/api/mcp" || pathname.startsWith("/api/hooks/") || pathname.startsWith("/api/auth/"));
}

/**
 * What an /api/ request meets before its route runs (proxy.ts under Next, server/web.ts on its
 * direct path): a cross-origin refusal where the path needs the same origin, or null.
 */
export function apiRequestRefusal(request: Request, pathname: string, appUrl: string): Response | null {
  return needsSameOrigin(pathname) ? crossOriginRefusal(request, appUrl) : null;
}

/**
 * A 403 for a cross-origin state-changing request, or null to let it through. Allowed origins
 * are the same as better-auth's trustedOrigins (lib/auth/auth.ts): BETTER_AUTH_URL's origin and
 * the request's own origin. Browsers send `Origin` on every cross-origin POST/PUT/PATCH/DELETE
 * (fetch and forms alike) and `Sec-Fetch-Site` on all of them, so a request with neither comes
 * from a non-browser client (curl, tests, server-to-server), which has no victim's cookie to
 * ride on and is let through to the route's own authentication. SameSite=Lax cookies already
 * stop most cross-site posts; this also covers same-site-but-cross-origin pages (sibling
 * subdomains) and older browsers.
 */
export function crossOriginRefusal(request: Request, appUrl: string): Response | null {
  if (!STATE_CHANGING.has(request.method.toUpperCase())) return null;
  const allowed = new Set([new URL(appUrl).origin, new URL(request.url).origin]);
  const origin = request.headers.get("origin") ?? refererOrigin(request.headers.get("referer"));
  if (origin !== null && !allowed.has(origin)) return refuse(`Requests from ${origin} may not change data here.`);
  if (origin === null && request.headers.get("sec-fetch-site") === "cross-site") return refuse("Cross-site requests may not change data here.");
  return null;
}

function refuse(message: string): Response {
  return jsonError(403, "cross_origin", message);
}

/** The origin of a Referer (sent when Origin is not, by some older browsers); "null" when unparsable. */
function refererOrigin(referer: string | null): string | null {
  if (!referer) return null;
  try {
    return new URL(referer).origin;
  } catch {
    return "null";
  }
}
