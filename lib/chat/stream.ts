import { db } from "@/lib/db/client";
import { liveSseStream, sseResponse } from "@/lib/api/run-stream";
import type { RunEvent } from "@/lib/engine/run-ports";
import { followRun } from "@/lib/runs/follow";
import { finishChatTurn } from "./finish-turn";
import { turnTrees } from "./pending-waits";
import { subRunFollower } from "./sub-runs";
import { selectStoredMessage, selectTurnSnapshot, type TurnSnapshot } from "./turn-sql";

/**
 * A chat turn as Server-Sent Events, through the same run follower as the editor and the API
 * (lib/runs/follow.ts): the chat sees only what a chat user may see, never the steps' data.
 *
 * Events: `turn` (ids, sent first by the caller), `answer` (an Answer node's text), `token` (a
 * model's streamed text since the last answer, shown while it is written), `wait` (a Question or
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

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
const WORKING = new Set(["queued", "running"]);

export function chatTurnStream(options: {
  runId: string;
  messageId: string;
  /** The run's Answer nodes, when the caller has its graph at hand (else read from the run). */
  answerNodeIds?: string[];
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
    // Which nodes' streamed text is an answer (the rest is a model's text in progress).
    const answerNodes = new Set(options.answerNodeIds ?? (await loadAnswerIds(runId)));
    // Read from PostgreSQL (events carry no wait id); each wait is sent once.
    const sentWaits = new Set<string>();
    // A wait inside a sub-workflow's child run belongs to the turn: its children are followed too.
    const subRuns = subRunFollower(() => check());
    /**
     * Sends the pending waits of the turn's run and its sub-workflow runs not sent yet, and follows
     * the sub-workflow runs still going. Once waits are pending and no run of the turn is working
     * (all parked), the stream closes. A run parked with no wait pending was answered just before
     * it parked (the answer could not re-queue it yet; the wait sweeper does), or waits for a child
     * still working: the stream stays open for the rest of the turn.
     */
    const checkWaits = async () => {
      const tree = (await turnTrees([runId])).get(runId);
      if (!tree) return;
      subRuns.follow(tree.runs.filter((run) => run.id !== runId && !TERMINAL.has(run.status)).map((run) => run.id));
      for (const wait of tree.waits) {
        if (sentWaits.has(wait.id)) continue;
        sentWaits.add(wait.id);
        send({ type: "wait", waitId: wait.id, nodeId: wait.nodeId, kind: wait.kind, request: wait.request });
      }
      if (tree.waits.length > 0 && !tree.runs.some((run) => WORKING.has(run.status))) close();
    };
    const check = () => void checkWaits().catch(() => close());
    const following = followRun<TurnSnapshot>(runId, {
      load: () => selectTurnSnapshot(runId),
      steps: (snapshot) => snapshot.steps,
      onSnapshot: (snapshot, partials) => {
        if (!snapshot) return close();
        for (const step of snapshot.steps) {
          const text = (step.output as { text?: unknown } | null)?.text;
          if (step.nodeType === "answer" && step.status === "succeeded" && typeof text === "string") send({ type: "answer", nodeId: step.nodeId, text });
          const partial = partials.get(`${step.nodeId}:${step.iteration}`);
          // A step still running when the snapshot was read: its streamed text so far (later deltas continue it).
          if (partial && step.status !== "succeeded") send({ type: step.nodeType === "answer" ? "answer" : "token", nodeId: step.nodeId, text: partial });
        }
        if (TERMINAL.has(snapshot.status)) void finish(snapshot.status).finally(close);
        else if (snapshot.status === "waiting" || snapshot.steps.some((step) => step.status === "waiting")) check();
      },
      onEvent: (event: RunEvent) => {
        if (event.type === "delta") send({ type: answerNodes.has(event.nodeId) ? "answer" : "token", nodeId: event.nodeId, text: event.text });
        else if ((event.type === "step" || event.type === "run") && event.status === "waiting") check();
        else if (event.type === "run" && TERMINAL.has(event.status)) void finish(event.status).finally(close);
      },
    });
    const leaveTurn = await following.catch(async (error: unknown) => {
      await subRuns.stop();
      throw error;
    });
    return async () => {
      await Promise.all([leaveTurn(), subRuns.stop()]);
    };
  });
  return sseResponse(stream, options.headers);
}

async function loadAnswerIds(runId: string): Promise<string[]> {
  const run = await db().run.findUnique({ where: { id: runId }, select: { graph: true } });
  const nodes = (run?.graph as { nodes?: { id: string; type: string }[] } | null)?.nodes ?? [];
  return nodes.filter((n) => n.type === "answer").map((n) => n.id);
}
