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

// Everything but Next's own assets and files with an extension (static files, /api/v1/openapi.json).
export const config = { matcher: ["/((?!_next|.*\\..*).*)"] };
