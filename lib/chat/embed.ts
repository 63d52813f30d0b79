import { ServiceError, notFound } from "@/lib/services/errors";
import { findChatApp, visitorCaller, type ChatCaller } from "./access";
import { EMBED_ORIGIN_HEADER, EMBED_VISITOR_HEADER, VISITOR_ID, normalOrigin } from "./embed-contract";

/**
 * The embedded chat (the widget's iframe, /chat/<slug>/embed) calls the same /api/chat/<slug>/…
 * routes as the hosted page, marked by two headers:
 * - `X-Weft-Embed-Origin`: the origin of the page that embeds it (the iframe reads it from
 *   `location.ancestorOrigins`, the referrer or the widget's `parent` parameter), checked against
 *   the app's allowed origins;
 * - `X-Weft-Visitor`: the browser's random widget visitor id (kept in the iframe's localStorage).
 * An embedded caller is always an anonymous visitor: the session cookie is never used, so a Weft
 * user's session cannot act through a third-party page, and the page holds no credential but the
 * visitor id, which reaches only that visitor's own conversations.
 * Only "anyone with the link" apps can be embedded; a members-only or domain app answers the same
 * 404 as an unknown one, so a third-party page learns nothing about it.
 */

export interface EmbedIdentity {
  origin: string;
  visitorId: string;
}

/** The embed headers of a request: null when it does not come from the embed page; 400 when malformed. */
export function embedIdentity(headers: Headers): EmbedIdentity | null {
  const claimed = headers.get(EMBED_ORIGIN_HEADER);
  if (claimed === null) return null;
  const origin = normalOrigin(claimed);
  if (!origin) throw new ServiceError("invalid_request", `${EMBED_ORIGIN_HEADER} must be the embedding page's origin, such as https://shop.example.com.`);
  const visitorId = headers.get(EMBED_VISITOR_HEADER)?.toLowerCase() ?? "";
  if (!VISITOR_ID.test(visitorId)) throw new ServiceError("invalid_request", `${EMBED_VISITOR_HEADER} must be the widget's visitor id (a UUID).`);
  return { origin, visitorId };
}

/** Refuses to serve the widget to `origin` unless the app is link-access and lists it. */
export function assertEmbeddable(app: { access: string; allowedOrigins: readonly string[] }, origin: string | null): void {
  if (app.access !== "link") throw notFound("Chat app");
  if (app.allowedOrigins.length === 0) {
    throw new ServiceError("forbidden", "This chat app cannot be embedded: its owner has not listed any website allowed to embed it.", { reason: "embed_disabled" });
  }
  if (!origin || !app.allowedOrigins.includes(origin)) {
    throw new ServiceError("forbidden", `${origin ?? "This page"} is not allowed to embed this chat app.`, { reason: "origin_not_allowed" });
  }
}

/** The embedded caller: the app (404 / 403 as above) and the widget's visitor. */
export async function resolveEmbedCaller(slug: string, identity: EmbedIdentity): Promise<ChatCaller> {
  const { app, allowedOrigins, workspaceName } = await findChatApp(slug);
  assertEmbeddable({ access: app.access, allowedOrigins }, identity.origin);
  return visitorCaller(app, workspaceName, identity.visitorId);
}
