import { NextResponse } from "next/server";
import { handle, parseRouteParams, publicRoute } from "@/lib/http/route";
import { findChatApp } from "@/lib/chat/access";
import { assertEmbeddable } from "@/lib/chat/embed";
import { normalOrigin } from "@/lib/chat/embed-contract";
import { admitRequest } from "@/lib/chat/limits";

const REASON = "the chat widget's mount check, called cross-origin by widget.js: may the calling website (its Origin header) embed this app";

/**
 * Asked by /widget.js from the embedding page before it shows the bubble → 200 { app: { title } }
 * when the browser's `Origin` is one the app allows, 403 (`embed_disabled`, `origin_not_allowed`)
 * otherwise, 404 for an unknown, disabled or not link-access app. Every answer is readable
 * cross-origin (no credentials are sent or accepted) so the script can say why it does not mount.
 */
export const GET = publicRoute(REASON, async (request: Request, context: { params: Promise<{ slug: string }> }) => {
  const response = await handle(async () => {
    const limited = await admitRequest(request);
    if (limited) return limited;
    const checked = await parseRouteParams(context);
    if (checked instanceof Response) return checked;
    const { slug } = await checked.params;
    const { app, allowedOrigins } = await findChatApp(slug);
    assertEmbeddable({ access: app.access, allowedOrigins }, normalOrigin(request.headers.get("origin") ?? ""));
    return NextResponse.json({ app: { title: app.title } });
  });
  response.headers.set("Access-Control-Allow-Origin", "*");
  response.headers.set("Vary", "Origin");
  response.headers.set("Cache-Control", "no-store");
  return response;
});
