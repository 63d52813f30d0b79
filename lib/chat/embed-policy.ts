import { contentSecurityPolicy } from "@/lib/auth/security-headers";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { frameAncestorsOf } from "./embed-contract";

/**
 * Who may frame the chat widget's embed page (/chat/<slug>/embed): its app's allowed origins, read
 * per request by proxy.ts because next.config.ts headers are fixed at build time. Everything else
 * (unknown, disabled or not link-access app, no allowed origins, a database error) gets
 * frame-ancestors 'none', the same as every other page.
 */

const EMBED_PAGE = /^\/chat\/([a-z0-9-]{1,63})\/embed\/?$/;

/** The slug when `pathname` is an embed page, else null. */
export function embedPageSlug(pathname: string): string | null {
  return EMBED_PAGE.exec(pathname)?.[1] ?? null;
}

export async function embedFrameAncestors(slug: string): Promise<string[]> {
  const app = await db()
    .chatApp.findUnique({ where: { slug }, select: { access: true, allowedOrigins: true, enabled: true } })
    .catch(() => null);
  return frameAncestorsOf(app?.enabled ? app : null);
}

/** Sets an embed page's CSP, replacing next.config.ts's fail-closed one with the app's allowed origins. */
export async function withEmbedFramePolicy<R extends Response>(response: R, slug: string): Promise<R> {
  const frameAncestors = await embedFrameAncestors(slug);
  response.headers.set("Content-Security-Policy", contentSecurityPolicy({ development: env().NODE_ENV === "development", frameAncestors }));
  return response;
}
