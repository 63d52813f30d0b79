import { db } from "@/lib/db/client";
import { liveSseStream, sseResponse } from "@/lib/api/run-stream";
import type { RunEvent } from "@/lib/engine/run-ports";
import { followRun } from "@/lib/runs/follow";
import { pendingWaitsOfRuns } from "./pending-waits";
import { selectStoredMessage, selectTurnSnapshot, type TurnSnapshot } from "./turn-sql";

/**
 * A chat turn as Server-Sent Events, through the same run follower as the editor and the API
 * (lib/runs/follow.ts): the chat sees only what a chat user may see, never the steps' data.
 *
 * Events: `turn` (ids, sent first by the caller), `answer` (an Answer node's text), `token` (a
 * model's streamed text since the last answer, shown while it is written), `wait` (a Question or
 * approval the run waits for, answered with POST …/messages/<id>/answer), `done` (the stored
 * assistant message, then the stream closes). When the whole run waits (nothing else in flight)
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
    const finish = async (status: string) => send({ type: "done", status, message: await selectStoredMessage(messageId) });
    if (options.first) send(options.first);
    // Which nodes' streamed text is an answer (the rest is a model's text in progress).
    const answerNodes = new Set(options.answerNodeIds ?? (await loadAnswerIds(runId)));
    // Read from PostgreSQL (events carry no wait id); each wait is sent once.
    const sentWaits = new Set<string>();
    /** Sends the run's pending waits not sent yet; how many are pending. */
    const sendWaits = async () => {
      const pending = (await pendingWaitsOfRuns([runId])).get(runId) ?? [];
      for (const wait of pending) {
        if (sentWaits.has(wait.id)) continue;
        sentWaits.add(wait.id);
        send({ type: "wait", waitId: wait.id, nodeId: wait.nodeId, kind: wait.kind, request: wait.request });
      }
      return pending.length;
    };
    // A parked run closes the stream once its waits are sent. A run parked with no wait pending was
    // answered just before it parked (the answer could not re-queue it yet; the wait sweeper does):
    // the stream stays open for the rest of the turn.
    const pause = () =>
      void sendWaits().then(
        (pending) => pending > 0 && close(),
        () => close(),
      );
    return followRun<TurnSnapshot>(runId, {
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
        else if (snapshot.status === "waiting") pause();
        else if (snapshot.steps.some((step) => step.status === "waiting")) void sendWaits();
      },
      onEvent: (event: RunEvent) => {
        if (event.type === "delta") send({ type: answerNodes.has(event.nodeId) ? "answer" : "token", nodeId: event.nodeId, text: event.text });
        else if (event.type === "step" && event.status === "waiting") void sendWaits();
        else if (event.type === "run" && event.status === "waiting") pause();
        else if (event.type === "run" && TERMINAL.has(event.status)) void finish(event.status).finally(close);
      },
    });
  });
  return sseResponse(stream, options.headers);
}

async function loadAnswerIds(runId: string): Promise<string[]> {
  const run = await db().run.findUnique({ where: { id: runId }, select: { graph: true } });
  const nodes = (run?.graph as { nodes?: { id: string; type: string }[] } | null)?.nodes ?? [];
  return nodes.filter((n) => n.type === "answer").map((n) => n.id);
}
