import { db } from "@/lib/db/client";
import { liveSseStream, sseResponse } from "@/lib/api/run-stream";
import { finishChatTurn } from "./finish-turn";
import { chatNodesOf, type ChatNodes } from "./tree-order";
import { followTurn } from "./turn-follower";
import { selectStoredMessage } from "./turn-sql";

/**
 * A chat turn as Server-Sent Events, through the turn follower (turn-follower.ts, on the same run
 * follower as the editor and the API, lib/runs/follow.ts): the chat sees only what a chat user
 * may see, never the steps' data.
 *
 * Events: `turn` (ids, sent first by the caller), `answer` (an Answer node's text), `token` (a
 * model's streamed text since the last answer, shown while it is written), both also from the
 * sub-workflow runs the turn starts, at any depth, in the order they ran (their `nodeId` is
 * `<child run id>/<node id>`, turn-text.ts), `wait` (a Question or
 * approval the run or one of its sub-workflow runs waits for, answered with POST
 * …/messages/<id>/answer), `done` (the stored assistant message, then the stream closes). When
 * the whole turn waits (nothing else in flight in its run or its sub-workflow runs)
 * the stream closes after its `wait` events, without `done`: a wait may last days, and the answer
 * route streams the rest of the turn.
 */

export type ChatStreamEvent =
  | { type: "turn"; conversationId: string; runId: string; messageId: string; userMessageId?: string }
  | { type: "answer"; nodeId: string; text: string }
  | { type: "token"; nodeId: string; text: string }
  | { type: "wait"; waitId: string; nodeId: string; kind: "approval" | "question"; request: unknown }
  | { type: "done"; status: string; message: { id: string; content: string; status: string; citations: unknown } | null };

export function chatTurnStream(options: {
  runId: string;
  messageId: string;
  /** The run's Answer and Sub-workflow nodes, when the caller has its graph at hand (else read from the run). */
  nodes?: ChatNodes;
  first?: ChatStreamEvent;
  signal?: AbortSignal;
  headers?: HeadersInit;
}): Response {
  const { runId, messageId } = options;
  const stream = liveSseStream(options.signal, async ({ write, close }) => {
    const send = (event: ChatStreamEvent) => write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    const finish = async (status: string) => {
      let message = await selectStoredMessage(messageId);
      // Ended by "stop generating" in a web process: the run's end is published before the stop
      // writes the answer. Written here (once, finishChatTurn is idempotent) so `done` carries it.
      if (message?.status === "pending") message = await finishChatTurn(db(), runId).then(() => selectStoredMessage(messageId));
      send({ type: "done", status, message });
    };
    if (options.first) send(options.first);
    return followTurn(runId, options.nodes ?? (await loadChatNodes(runId)), {
      onText: send,
      onWait: (wait) => send({ type: "wait", waitId: wait.id, nodeId: wait.nodeId, kind: wait.kind, request: wait.request }),
      onPause: close,
      onEnd: ({ status }) => void finish(status).finally(close),
    });
  });
  return sseResponse(stream, options.headers);
}

async function loadChatNodes(runId: string): Promise<ChatNodes> {
  const run = await db().run.findUnique({ where: { id: runId }, select: { graph: true } });
  return chatNodesOf((run?.graph as { nodes?: { id: string; type: string }[] } | null)?.nodes ?? []);
}
