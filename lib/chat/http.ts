import { randomUUID } from "node:crypto";
import { parseCookies } from "better-auth/cookies";
import { auth } from "@/lib/auth/auth";
import { handle, parseRouteParams, publicRoute } from "@/lib/http/route";
import { resolveChatCaller, type ChatCaller, type ChatUser } from "./access";
import { embedIdentity, resolveEmbedCaller } from "./embed";
import { VISITOR_ID } from "./embed-contract";
import { admitRequest } from "./limits";

/**
 * The wrapper of every public chat route (/api/chat/<slug>/…): rate limit per client address,
 * path params checked, the caller resolved from the session or the visitor cookie (a new visitor
 * gets one) or, for the embedded widget, from its headers (embed.ts), then the handler; service
 * errors mapped to their HTTP answers (every refusal of access is the same 404 as an unknown
 * slug; only an embedding origin the app does not allow is a 403).
 */

export const VISITOR_COOKIE = "weft_chat_visitor";
const VISITOR_MAX_AGE_S = 365 * 24 * 3600;

export async function chatIdentity(headers: Headers): Promise<{ user: ChatUser | null; visitorId: string; isNewVisitor: boolean }> {
  const session = await auth().api.getSession({ headers }).catch(() => null);
  const user = session ? { id: session.user.id, email: session.user.email, name: session.user.name } : null;
  const cookie = parseCookies(headers.get("cookie") ?? "").get(VISITOR_COOKIE);
  const known = cookie && VISITOR_ID.test(cookie) ? cookie : null;
  return { user, visitorId: known ?? randomUUID(), isNewVisitor: !known };
}

export function visitorCookie(visitorId: string, secure: boolean): string {
  return `${VISITOR_COOKIE}=${visitorId}; Path=/; Max-Age=${VISITOR_MAX_AGE_S}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}

export function chatRoute<P extends { slug: string }>(reason: string, handler: (request: Request, caller: ChatCaller, params: P) => Promise<Response>) {
  return publicRoute(reason, async (request: Request, context: { params: Promise<P> }) =>
    handle(async () => {
      const limited = await admitRequest(request);
      if (limited) return limited;
      const checked = await parseRouteParams(context);
      if (checked instanceof Response) return checked;
      const params = await checked.params;
      // The embedded widget: an anonymous visitor whose embedding page must be allowed (embed.ts); no session, no cookie.
      const embedded = embedIdentity(request.headers);
      if (embedded) return await handler(request, await resolveEmbedCaller(params.slug, embedded), params);
      const identity = await chatIdentity(request.headers);
      const caller = await resolveChatCaller(params.slug, identity);
      const response = await handler(request, caller, params);
      if (identity.isNewVisitor && "visitorId" in caller.owner) {
        response.headers.append("Set-Cookie", visitorCookie(identity.visitorId, new URL(request.url).protocol === "https:"));
      }
      return response;
    }),
  );
}

/** The key turns are counted under: the signed-in user or the visitor. */
export const callerKey = (caller: ChatCaller) => ("userId" in caller.owner ? `user:${caller.owner.userId}` : `visitor:${caller.owner.visitorId}`);
