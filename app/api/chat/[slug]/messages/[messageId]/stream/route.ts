import { chatRoute } from "@/lib/chat/http";
import { ownAnswerRun } from "@/lib/chat/conversations";
import { chatTurnStream } from "@/lib/chat/stream";

type Params = { slug: string; messageId: string };

/**
 * Follows one of the caller's answers as Server-Sent Events (the same events as POST …/turns,
 * without `turn`): what is written so far, then the rest live until `done`, or the `wait` events
 * when the turn is held by a Question or approval. The page reconnects with it to an answer still
 * being written after a reload. 404 for anyone else's message.
 */
export const GET = chatRoute<Params>("following the caller's own chat answer (404 for anyone else's)", async (request, caller, { messageId }) => {
  const runId = await ownAnswerRun(caller, messageId);
  return chatTurnStream({ runId, messageId, client: request });
});
