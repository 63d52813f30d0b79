import { parseJson } from "@/lib/auth/http";
import { chatRoute } from "@/lib/chat/http";
import { CHAT_MAX_BODY_BYTES } from "@/lib/chat/limits";
import { chatTurnStream } from "@/lib/chat/stream";
import { ChatAnswerSchema, answerChatWait } from "@/lib/chat/waits";

type Params = { slug: string; messageId: string };

/**
 * Answers a Question or decides an approval the caller's own pending answer waits for
 * (`{ waitId, answer }`), then streams the rest of the turn as Server-Sent Events (the same
 * events as POST …/turns, without `turn`). 404 for anyone else's message, 403 for an approval that
 * requires a role the caller does not hold, 409 when the wait is no longer pending.
 */
export const POST = chatRoute<Params>("answering a wait of the caller's own chat answer (404 for anyone else's)", async (request, caller, { messageId }) => {
  const body = await parseJson(request, ChatAnswerSchema, CHAT_MAX_BODY_BYTES);
  if (body instanceof Response) return body;
  const { runId } = await answerChatWait(caller, messageId, body);
  return chatTurnStream({ runId, messageId, client: request });
});
