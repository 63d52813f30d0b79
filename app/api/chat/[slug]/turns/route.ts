import { randomUUID } from "node:crypto";
import { parseJson } from "@/lib/auth/http";
import { callerKey, chatRoute } from "@/lib/chat/http";
import { CHAT_MAX_BODY_BYTES, admitTurn } from "@/lib/chat/limits";
import { chatTurnStream } from "@/lib/chat/stream";
import { TurnSchema, startTurn } from "@/lib/chat/turns";
import { subscribeBeforeCreate } from "@/lib/runs/follow";

const REASON = "a chat app's turn: open to whom its access mode allows, rate-limited per app and per visitor";

/**
 * Sends a message (or regenerates the last answer) and streams the answer as Server-Sent Events:
 * `turn`, then `answer` / `token` / `wait`, then `done` (lib/chat/stream.ts).
 */
export const POST = chatRoute(REASON, async (request, caller) => {
  const body = await parseJson(request, TurnSchema, CHAT_MAX_BODY_BYTES);
  if (body instanceof Response) return body;
  // Subscribed before the run exists (nothing it says is missed, no snapshot is read), while the
  // turn's limits are counted: two round trips at once, on their own connections.
  const runId = randomUUID();
  const subscribing = subscribeBeforeCreate(runId);
  subscribing.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
  const limited = await admitTurn(caller.app.id, callerKey(caller)).catch((error: unknown) => {
    void subscribing.then((early) => early.leave(), () => undefined);
    throw error;
  });
  const early = await subscribing;
  if (limited) {
    early.leave();
    return limited;
  }
  const { plan, ...turn } = await startTurn(caller, body, runId).catch((error: unknown) => {
    early.leave();
    throw error;
  });
  return chatTurnStream({ runId, messageId: turn.messageId, plan, first: { type: "turn", ...turn }, early, client: request });
});
