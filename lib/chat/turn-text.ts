import type { RunEvent } from "@/lib/engine/run-ports";
import type { ChatStreamEvent } from "./stream";
import { chatNodeKey, inSpeakingOrder, treeStepKey, type ChatNodes } from "./tree-order";
import type { TreeSnapshotRun } from "./turn-sql";

/** The text events of a chat turn's stream (stream.ts). */
export type ChatTextEvent = Extract<ChatStreamEvent, { type: "answer" | "token" }>;

const FINISHED = new Set(["succeeded", "failed", "skipped"]);

/**
 * What a turn's stream says of the text of its run and its sub-workflow runs: each Answer text
 * once, the text in progress of a model the answer shows (ChatNodes.previews) as `token`s, nodes keyed by `chatNodeKey` (a child's prefixed
 * with its run id). The same step can be seen twice (in the snapshot of its own run and in that of
 * an ancestor, or in a snapshot and as a delta buffered while it was read): an Answer's text is
 * sent once (an Answer publishes its whole text as one delta), and the deltas of a step already
 * finished in a snapshot are dropped.
 */
export function createTurnText(turnRunId: string, send: (event: ChatTextEvent) => void) {
  const covered = new Set<string>();
  const nodesOf = new Map<string, ChatNodes>();
  const run = (runId: string) => nodesOf.get(runId);
  const answer = (runId: string, nodeId: string, iteration: number, text: string) => {
    covered.add(treeStepKey({ runId, nodeId, iteration }));
    send({ type: "answer", nodeId: chatNodeKey(turnRunId, runId, nodeId), text });
  };
  return {
    /** The Answer and Sub-workflow nodes of a run's graph. */
    know(runId: string, nodes: ChatNodes) {
      nodesOf.set(runId, nodes);
    },
    isSubworkflow: (runId: string, nodeId: string) => nodesOf.get(runId)?.subworkflows.includes(nodeId) ?? false,
    /**
     * A snapshot of the tree under `runId` (one run when it has no sub-workflow runs): the
     * succeeded Answer texts not sent yet, in the order they spoke, then the streamed text so far of
     * `runId`'s own running steps (`partials`; its descendants' come with their own snapshots).
     */
    snapshot(runId: string, runs: readonly TreeSnapshotRun[], partials: Map<string, string>) {
      for (const run of runs) nodesOf.set(run.id, run.nodes);
      const steps = runs.flatMap((run) => run.steps.map((step) => ({ ...step, runId: run.id })));
      for (const step of inSpeakingOrder(steps)) {
        const key = treeStepKey(step);
        if (covered.has(key)) continue;
        const text = (step.output as { text?: unknown } | null)?.text;
        if (step.nodeType === "answer" && step.status === "succeeded" && typeof text === "string") answer(step.runId, step.nodeId, step.iteration, text);
        else if (FINISHED.has(step.status)) covered.add(key);
        const partial = step.runId === runId && step.status === "running" ? partials.get(`${step.nodeId}:${step.iteration}`) : undefined;
        if (!partial) continue;
        if (step.nodeType === "answer") answer(step.runId, step.nodeId, step.iteration, partial);
        else if (run(runId)?.previews.includes(step.nodeId)) send({ type: "token", nodeId: chatNodeKey(turnRunId, runId, step.nodeId), text: partial });
      }
    },
    /** A step's streamed text, live. */
    delta(runId: string, event: Extract<RunEvent, { type: "delta" }>) {
      if (covered.has(treeStepKey({ runId, nodeId: event.nodeId, iteration: event.iteration }))) return;
      const nodes = run(runId);
      if (nodes?.answers.includes(event.nodeId)) answer(runId, event.nodeId, event.iteration, event.text);
      else if (nodes?.previews.includes(event.nodeId)) send({ type: "token", nodeId: chatNodeKey(turnRunId, runId, event.nodeId), text: event.text });
    },
  };
}
