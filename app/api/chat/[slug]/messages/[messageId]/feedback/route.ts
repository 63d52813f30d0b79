import { NextResponse } from "next/server";
import { parseJson } from "@/lib/auth/http";
import { chatRoute } from "@/lib/chat/http";
import { CHAT_MAX_BODY_BYTES } from "@/lib/chat/limits";
import { FeedbackSchema, giveFeedback } from "@/lib/chat/conversations";

/** Thumbs up (1) / down (-1) / cleared (null) with an optional comment, on one of the caller's answers → { message }. */
export const POST = chatRoute<{ slug: string; messageId: string }>("feedback on the caller's own chat answer (404 for anyone else's)", async (request, caller, { messageId }) => {
  const body = await parseJson(request, FeedbackSchema, CHAT_MAX_BODY_BYTES);
  if (body instanceof Response) return body;
  return NextResponse.json({ message: await giveFeedback(caller, messageId, body) });
});
