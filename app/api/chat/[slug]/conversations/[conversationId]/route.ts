import { NextResponse } from "next/server";
import { parseJson } from "@/lib/auth/http";
import { chatRoute } from "@/lib/chat/http";
import { CHAT_MAX_BODY_BYTES } from "@/lib/chat/limits";
import { RenameConversationSchema, deleteConversation, listMessages, renameConversation } from "@/lib/chat/conversations";

const REASON = "the caller's own conversation of a chat app (404 for anyone else's)";
type Params = { slug: string; conversationId: string };

/** The conversation's messages, oldest first → { messages }. */
export const GET = chatRoute<Params>(REASON, async (_request, caller, { conversationId }) => NextResponse.json({ messages: await listMessages(caller, conversationId) }));

/** Renames it → { conversation }. */
export const PATCH = chatRoute<Params>(REASON, async (request, caller, { conversationId }) => {
  const body = await parseJson(request, RenameConversationSchema, CHAT_MAX_BODY_BYTES);
  if (body instanceof Response) return body;
  return NextResponse.json({ conversation: await renameConversation(caller, conversationId, body) });
});

/** Deletes it with its messages → 204. */
export const DELETE = chatRoute<Params>(REASON, async (_request, caller, { conversationId }) => {
  await deleteConversation(caller, conversationId);
  return new Response(null, { status: 204 });
});
