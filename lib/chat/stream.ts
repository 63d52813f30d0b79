import { answerFeeds, type AnswerFeed } from "@/lib/channels/chat-io";
import { db } from "@/lib/db/client";
import { GraphSchema, type Graph } from "@/lib/engine/graph";
import { liveSseStream, sseResponse, type StreamClient } from "@/lib/api/run-stream";
import type { EarlySubscription } from "@/lib/runs/follow";
import { finishChatTurn } from "./finish-turn";
import { chatNodesOf, type ChatNodes } from "./tree-order";
import { followTurn, type TurnEnd } from "./turn-follower";
import { selectStoredMessage } from "./turn-sql";
import type { ChatTextEvent } from "./turn-text";

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

/** What the stream needs to know of the turn's graph: who speaks, and which models feed an Answer. */
export interface TurnPlan {
  nodes: ChatNodes;
  feeds: Map<string, AnswerFeed>;
}

export const turnPlanOf = (graph: Pick<Graph, "nodes" | "edges">): TurnPlan => ({ nodes: chatNodesOf(graph.nodes), feeds: answerFeeds(graph) });

export function chatTurnStream(options: {
  runId: string;
  messageId: string;
  /** The run's speakers and feeds, when the caller has its graph at hand (else read from the run). */
  plan?: TurnPlan;
  first?: ChatStreamEvent;
  /** Taken before the turn's run was created (its own request): the stream starts from it and reads no snapshot. */
  early?: EarlySubscription;
  /** The request: the stream ends when its client goes away. */
  client?: StreamClient;
  headers?: HeadersInit;
}): Response {
  const { runId, messageId } = options;
  const stream = liveSseStream(options.client, async ({ write, close }) => {
    const send = (event: ChatStreamEvent) => write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    const finish = async ({ status, message: told }: TurnEnd) => {
      // The worker's end event brings the answer it just stored; an end read from a snapshot does not.
      let message = told?.id === messageId ? told : await selectStoredMessage(messageId);
      // Ended by "stop generating" in a web process: the run's end is published before the stop
      // writes the answer. Written here (once, finishChatTurn is idempotent) so `done` carries it.
      if (message?.status === "pending") message = (await finishChatTurn(db(), runId)) ?? (await selectStoredMessage(messageId));
      send({ type: "done", status, message });
    };
    if (options.first) send(options.first);
    try {
      const plan = options.plan ?? (await loadTurnPlan(runId));
      return await followTurn(
        runId,
        plan.nodes,
        {
          onText: withFeedPrefixes(send, plan.feeds),
          onWait: (wait) => send({ type: "wait", waitId: wait.id, nodeId: wait.nodeId, kind: wait.kind, request: wait.request }),
          onPause: close,
          onEnd: (end) => void finish(end).finally(close),
        },
        options.early,
      );
    } catch (error) {
      options.early?.leave();
      throw error;
    }
  });
  return sseResponse(stream, options.headers);
}

async function loadTurnPlan(runId: string): Promise<TurnPlan> {
  const run = await db().run.findUnique({ where: { id: runId }, select: { graph: true } });
  const graph = GraphSchema.safeParse(run?.graph);
  return graph.success ? turnPlanOf(graph.data) : { nodes: chatNodesOf([]), feeds: new Map() };
}

/**
 * A model feeding an Answer (answerFeeds) writes the Answer's beginning: its first token carries
 * the Answer's leading text, so the preview reads as the Answer will when it arrives.
 */
export function withFeedPrefixes(send: (event: ChatTextEvent) => void, feeds: ReadonlyMap<string, AnswerFeed>): (event: ChatTextEvent) => void {
  const started = new Set<string>();
  return (event) => {
    const feed = event.type === "token" && !started.has(event.nodeId) ? feeds.get(event.nodeId) : undefined;
    if (!feed) return send(event);
    started.add(event.nodeId);
    send({ ...event, text: feed.prefix + event.text });
  };
}
