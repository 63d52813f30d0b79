import { db } from "@/lib/db/client";
import { liveSseStream, sseResponse } from "@/lib/api/run-stream";
import type { RunEvent } from "@/lib/engine/run-ports";
import { followRun } from "@/lib/runs/follow";

/**
 * A chat turn as Server-Sent Events, through the same run follower as the editor and the API
 * (lib/runs/follow.ts): the chat sees only what a chat user may see, never the steps' data.
 *
 * Events: `turn` (ids, sent first by the caller), `answer` (an Answer node's text), `token` (a
 * model's streamed text since the last answer, shown while it is written), `wait` (a Question or
 * approval the run waits for), `done` (the stored assistant message, then the stream closes).
 */

export type ChatStreamEvent =
  | { type: "turn"; conversationId: string; runId: string; messageId: string; userMessageId?: string }
  | { type: "answer"; nodeId: string; text: string }
  | { type: "token"; nodeId: string; text: string }
  | { type: "wait"; nodeId: string; kind: string; request: Record<string, unknown> }
  | { type: "done"; status: string; message: { id: string; content: string; status: string; citations: unknown } | null };

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

interface TurnSnapshot {
  status: string;
  steps: { nodeId: string; nodeType: string; iteration: number; status: string; output: unknown }[];
}

async function loadTurn(runId: string): Promise<TurnSnapshot | null> {
  return db().run.findUnique({
    where: { id: runId },
    select: { status: true, steps: { orderBy: { startedAt: "asc" }, select: { nodeId: true, nodeType: true, iteration: true, status: true, output: true } } },
  });
}

async function storedMessage(messageId: string) {
  return db().message.findUnique({ where: { id: messageId }, select: { id: true, content: true, status: true, citations: true } });
}

export function chatTurnStream(options: { runId: string; messageId: string; first?: ChatStreamEvent; signal?: AbortSignal; headers?: HeadersInit }): Response {
  const { runId, messageId } = options;
  const stream = liveSseStream(options.signal, async ({ write, close }) => {
    const send = (event: ChatStreamEvent) => write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
    const finish = async (status: string) => send({ type: "done", status, message: await storedMessage(messageId) });
    if (options.first) send(options.first);
    // Which nodes' streamed text is an answer (the rest is a model's text in progress).
    const answerNodes = new Set(await loadAnswerIds(runId));
    return followRun<TurnSnapshot>(runId, {
      load: () => loadTurn(runId),
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
      },
      onEvent: (event: RunEvent) => {
        if (event.type === "delta") send({ type: answerNodes.has(event.nodeId) ? "answer" : "token", nodeId: event.nodeId, text: event.text });
        else if (event.type === "step" && event.status === "waiting" && event.wait) send({ type: "wait", nodeId: event.nodeId, kind: event.wait.kind, request: event.wait.request });
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
