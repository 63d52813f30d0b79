import { chatRoute } from "@/lib/chat/http";
import { stopTurn } from "@/lib/chat/turns";

/** Stop generating: cancels the answer's run, keeping what was answered so far → 204. */
export const POST = chatRoute<{ slug: string; messageId: string }>("stopping the caller's own chat answer (404 for anyone else's)", async (_request, caller, { messageId }) => {
  await stopTurn(caller, messageId);
  return new Response(null, { status: 204 });
});
