import { db } from "@/lib/db/client";
import { liveSseStream, sseResponse } from "@/lib/api/run-stream";
import type { RunEvent } from "@/lib/engine/run-ports";
import { followRun } from "@/lib/runs/follow";
import { finishChatTurn } from "./finish-turn";
import { holdQueue } from "./hold-queue";
import { turnTrees } from "./pending-waits";
import { subRunFollower } from "./sub-runs";
import { chatNodesOf, type ChatNodes } from "./tree-order";
import { selectStoredMessage, selectTreeSnapshot, selectTurnSnapshot, type TreeSnapshotRun, type TurnSnapshot } from "./turn-sql";
import { createTurnText } from "./turn-text";

/**
 * A chat turn as Server-Sent Events, through the same run follower as the editor and the API
 * (lib/runs/follow.ts): the chat sees only what a chat user may see, never the steps' data.
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

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
const WORKING = new Set(["queued", "running"]);

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
    const nodes = options.nodes ?? (await loadChatNodes(runId));
    // A workflow without Sub-workflow nodes reads only its own run, as cheaply as before.
    const withChildren = nodes.subworkflows.length > 0;
    const text = createTurnText(runId, send);
    text.know(runId, nodes);
    const queue = holdQueue();
    // Read from PostgreSQL (events carry no wait id); each wait is sent once.
    const sentWaits = new Set<string>();
    // Runs of the tree that had ended when a snapshot read them: their text has been sent.
    const settled = new Set<string>();
    const subRuns = subRunFollower({
      onSnapshot: (childId, tree, partials) => onTree(childId, tree, partials),
      onEvent: (childId, event) => queue.run(() => onEvent(childId, event)),
    });
    /**
     * Follows the sub-workflow runs not followed yet (their snapshots first tell what they said),
     * then sends the pending waits of the turn's run and its sub-workflow runs not sent yet. Once
     * waits are pending and no run of the turn is working (all parked), the stream closes. A run
     * parked with no wait pending was answered just before it parked (the answer could not
     * re-queue it yet; the wait sweeper does), or waits for a child still working: the stream
     * stays open for the rest of the turn.
     */
    const checkTree = async () => {
      const tree = (await turnTrees([runId])).get(runId);
      if (!tree) return;
      await subRuns.follow(tree.runs.filter((run) => run.id !== runId && !settled.has(run.id)).map((run) => run.id));
      for (const wait of tree.waits) {
        if (sentWaits.has(wait.id)) continue;
        sentWaits.add(wait.id);
        send({ type: "wait", waitId: wait.id, nodeId: wait.nodeId, kind: wait.kind, request: wait.request });
      }
      if (tree.waits.length > 0 && !tree.runs.some((run) => WORKING.has(run.status))) close();
    };
    // The turn's later events wait until the sub-workflow runs found are told.
    const check = () => void queue.during(checkTree).catch(() => close());
    /** A snapshot of the tree under `treeRunId` (the turn's run, or a sub-workflow run just followed). */
    function onTree(treeRunId: string, tree: TreeSnapshotRun[], partials: Map<string, string>) {
      text.snapshot(treeRunId, tree, partials);
      for (const run of tree) if (TERMINAL.has(run.status)) settled.add(run.id);
      const untold = tree.some((run) => run.id !== treeRunId && !settled.has(run.id) && !subRuns.isFollowed(run.id));
      const waiting = tree.some((run) => run.status === "waiting" || run.steps.some((step) => step.status === "waiting"));
      if (treeRunId === runId && TERMINAL.has(tree[0]!.status)) void finish(tree[0]!.status).finally(close);
      else if (waiting || untold) check();
    }
    function onEvent(eventRunId: string, event: RunEvent) {
      if (event.type === "delta") text.delta(eventRunId, event);
      else if ((event.type === "step" || event.type === "run") && event.status === "waiting") check();
      else if (event.type === "step" && event.status === "succeeded" && withChildren && text.isSubworkflow(eventRunId, event.nodeId)) {
        // A child that ended before its parent's step waited for it (the step ran again after a crash) is found here.
        const childId = event.output?.runId;
        if (typeof childId === "string" && !settled.has(childId) && !subRuns.isFollowed(childId)) check();
      } else if (event.type === "run" && eventRunId === runId && TERMINAL.has(event.status)) void finish(event.status).finally(close);
    }
    const following = followRun<TreeSnapshotRun[]>(runId, {
      load: () => (withChildren ? selectTreeSnapshot(runId) : selectTurnSnapshot(runId).then((run) => (run ? [ownRun(runId, run, nodes)] : []))),
      steps: (tree) => tree.find((run) => run.id === runId)?.steps ?? [],
      onSnapshot: (tree, partials) => queue.run(() => (tree?.length ? onTree(runId, tree, partials) : close())),
      onEvent: (event) => queue.run(() => onEvent(runId, event)),
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

/** The turn's own run read alone (no sub-workflow nodes) in the shape of a tree of one run. */
function ownRun(runId: string, run: TurnSnapshot, nodes: ChatNodes): TreeSnapshotRun {
  return { id: runId, parentRunId: null, parentNodeId: null, parentIteration: null, status: run.status, nodes, steps: run.steps };
}

async function loadChatNodes(runId: string): Promise<ChatNodes> {
  const run = await db().run.findUnique({ where: { id: runId }, select: { graph: true } });
  return chatNodesOf((run?.graph as { nodes?: { id: string; type: string }[] } | null)?.nodes ?? []);
}
