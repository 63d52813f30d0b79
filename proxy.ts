import type { NextRequest } from "next/server";
import { weftProxy } from "@/lib/auth/proxy";
import { embedPageSlug, withEmbedFramePolicy } from "@/lib/chat/embed-policy";
import { env } from "@/lib/env";

/**
 * Cross-origin refusal for /api state changes, HSTS over https, the requested path for server
 * components (?next=), and the chat widget's embed page's frame-ancestors (its app's allowed
 * origins). See lib/auth/proxy.ts and lib/chat/embed-policy.ts.
 */
export function proxy(request: NextRequest) {
  const response = weftProxy(request, env().BETTER_AUTH_URL);
  // Only the embed page waits for a database read; every other request stays synchronous.
  const embedSlug = embedPageSlug(request.nextUrl.pathname);
  return embedSlug ? withEmbedFramePolicy(response, embedSlug) : response;
}

/**
 * Everything but Next's own assets, files with an extension (static files, /api/v1/openapi.json),
 * the public API /api/v1/…, webhooks /api/hooks/… and the studio's upload routes (OpenAPI documents,
 * knowledge documents). API-key and webhook requests need no same-origin check (lib/auth/origin.ts)
 * and get HSTS from their route wrapper (lib/api/route.ts, app/api/hooks); running the proxy cost
 * every API call about 0.25 ms in Next's middleware machinery (issue #9). Upload routes must not pass
 * through it: Next buffers a body the proxy sees and cuts it at 10 MB ("Request body exceeded 10MB"),
 * so a 13 MB OpenAPI document or a 50 MB PDF arrived truncated. Their handlers (withMember) make the
 * same-origin check and add HSTS.
 */
export const config = { matcher: ["/((?!_next|api/v1/|api/hooks/|api/tools/openapi|api/knowledge-bases/|.*\\..*).*)"] };
