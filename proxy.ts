import type { NextRequest } from "next/server";
import { weftProxy } from "@/lib/auth/proxy";
import { env } from "@/lib/env";

/**
 * Cross-origin refusal for /api state changes, HSTS over https, and the requested path for
 * server components (?next=). See lib/auth/proxy.ts.
 */
export function proxy(request: NextRequest) {
  return weftProxy(request, env().BETTER_AUTH_URL);
}

/**
 * Everything but Next's own assets, files with an extension (static files, /api/v1/openapi.json)
 * and the public API /api/v1/… and webhooks /api/hooks/…: they need no same-origin check (lib/auth/origin.ts) and
 * get HSTS from their route wrapper (lib/api/route.ts, app/api/hooks), and running the proxy cost every API call
 * about 0.25 ms in Next's middleware machinery (issue #9).
 */
export const config = { matcher: ["/((?!_next|api/v1/|api/hooks/|.*\\..*).*)"] };
