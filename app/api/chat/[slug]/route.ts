import { NextResponse } from "next/server";
import { chatRoute } from "@/lib/chat/http";
import { listConversations } from "@/lib/chat/conversations";

const REASON = "a published chat app: open to whom its access mode allows, the same 404 for everyone else";

/** The chat app as its page shows it and the caller's conversations → { app, conversations }. */
export const GET = chatRoute(REASON, async (_request, caller) => {
  const { title, welcome, suggestions } = caller.app;
  return NextResponse.json({ app: { title, welcome, suggestions }, conversations: await listConversations(caller) });
});
