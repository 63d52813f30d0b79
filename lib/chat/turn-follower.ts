import type { RunEvent, StoredChatMessage } from "@/lib/engine/run-ports";
import { followRun, type EarlySubscription } from "@/lib/runs/follow";
import { holdQueue } from "./hold-queue";
import { turnTrees, type ChatWait } from "./pending-waits";
import { subRunFollower } from "./sub-runs";
import type { ChatNodes } from "./tree-order";
import { selectTreeSnapshot, selectTurnSnapshot, type TreeSnapshotRun, type TurnSnapshot } from "./turn-sql";
import { createTurnText, type ChatTextEvent } from "./turn-text";

/**
 * Follows a turn, a run and its sub-workflow runs at any depth, as a conversation: what its
 * Answer nodes say and its models write, in the order they spoke, its Questions and approvals, and its end.
 * One implementation for every channel that streams a turn: the chat (stream.ts) and the OpenAI
 * endpoint (lib/api/openai/stream.ts).
 *
 * Built on the same run follower as the editor and the API (lib/runs/follow.ts). Sub-workflow runs
 * are followed as they are found (sub-runs.ts; each is read with the tree under it, so a child that
 * ended before it was followed still tells its own children's answers), and while a child just
 * found is joined, the parent's later events wait behind it (hold-queue.ts); each Answer text is
 * told once (turn-text.ts).
 */

/** How the turn's run ended: its status, and its output and error when its end event said them. */
export interface TurnEnd {
  status: string;
  output?: unknown;
  error?: { message?: string } | null;
  /** The stored answer, when the worker's end event brought it (lib/chat/finish-turn.ts). */
  message?: StoredChatMessage;
}

export interface TurnWatcher {
  /** An Answer node's text, or a model's text being written (`token`), in the order they come. */
  onText: (event: ChatTextEvent) => void;
  /** A Question or approval the run or one of its sub-workflow runs waits for, once each. */
  onWait: (wait: ChatWait) => void;
  /**
   * Nothing more comes on this follow: every run of the turn is parked with its waits told
   * (`parked`; a wait may last days), or the turn's run is gone or its tree could not be read (`lost`).
   */
  onPause: (reason: "parked" | "lost") => void;
  /** The turn's run ended. */
  onEnd: (end: TurnEnd) => void;
}

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
const WORKING = new Set(["queued", "running"]);

/**
 * Follows the turn of `runId`, whose graph has these Answer and Sub-workflow nodes; the watcher
 * hears nothing after `onPause` or `onEnd` (each comes once at most). `early`: the turn's run was
 * created after this subscription (the turn's own request), so it starts queued with no steps and
 * no snapshot is read. Returns the unsubscribe function.
 */
export async function followTurn(runId: string, nodes: ChatNodes, watcher: TurnWatcher, early?: EarlySubscription): Promise<() => Promise<void>> {
  let over = false;
  const stop = (tell: () => void) => {
    if (over) return;
    over = true;
    tell();
  };
  // A workflow without Sub-workflow nodes reads only its own run, as cheaply as before.
  const withChildren = nodes.subworkflows.length > 0;
  const text = createTurnText(runId, (event) => {
    if (!over) watcher.onText(event);
  });
  text.know(runId, nodes);
  const queue = holdQueue();
  const tree = treeWatch(runId, watcher, () => over, (reason) => stop(() => watcher.onPause(reason)));
  const subRuns = subRunFollower({
    onSnapshot: (childId, runs, partials) => onTree(childId, runs, partials),
    onEvent: (childId, event) => queue.run(() => onEvent(childId, event)),
  });
  // The turn's later events wait until the sub-workflow runs found are told.
  const check = () => void queue.during(() => tree.check(subRuns)).catch(() => stop(() => watcher.onPause("lost")));
  /** A snapshot of the tree under `treeRunId` (the turn's run, or a sub-workflow run just followed). */
  function onTree(treeRunId: string, runs: TreeSnapshotRun[], partials: Map<string, string>) {
    if (over) return;
    text.snapshot(treeRunId, runs, partials);
    for (const run of runs) if (TERMINAL.has(run.status)) tree.settled.add(run.id);
    const untold = runs.some((run) => run.id !== treeRunId && !tree.settled.has(run.id) && !subRuns.isFollowed(run.id));
    const waiting = runs.some((run) => run.status === "waiting" || run.steps.some((step) => step.status === "waiting"));
    if (treeRunId === runId && TERMINAL.has(runs[0]!.status)) stop(() => watcher.onEnd({ status: runs[0]!.status }));
    else if (waiting || untold) check();
  }
  function onEvent(eventRunId: string, event: RunEvent) {
    if (over) return;
    if (event.type === "delta") text.delta(eventRunId, event);
    else if ((event.type === "step" || event.type === "run") && event.status === "waiting") check();
    else if (event.type === "step" && event.status === "succeeded" && withChildren && text.isSubworkflow(eventRunId, event.nodeId)) {
      // A child that ended before its parent's step waited for it (the step ran again after a crash) is found here.
      const childId = event.output?.runId;
      if (typeof childId === "string" && !tree.settled.has(childId) && !subRuns.isFollowed(childId)) check();
    } else if (event.type === "run" && eventRunId === runId && TERMINAL.has(event.status)) stop(() => watcher.onEnd(event));
  }
  // A run created after `early` was taken is queued with no steps: that is its snapshot.
  const fresh = early ? { early: { subscription: early, snapshot: [ownRun(runId, { status: "queued", steps: [] }, nodes)] } } : {};
  const leaveTurn = await followRun<TreeSnapshotRun[]>(
    runId,
    {
      load: () => (withChildren ? selectTreeSnapshot(runId) : selectTurnSnapshot(runId).then((run) => (run ? [ownRun(runId, run, nodes)] : []))),
      steps: (runs) => runs.find((run) => run.id === runId)?.steps ?? [],
      onSnapshot: (runs, partials) => queue.run(() => (runs?.length ? onTree(runId, runs, partials) : stop(() => watcher.onPause("lost")))),
      onEvent: (event) => queue.run(() => onEvent(runId, event)),
    },
    fresh,
  ).catch(async (error: unknown) => {
    await subRuns.stop();
    throw error;
  });
  return async () => {
    await Promise.all([leaveTurn(), subRuns.stop()]);
  };
}

/**
 * The turn's tree as read from PostgreSQL (pending-waits.ts): `check` follows the sub-workflow
 * runs not followed yet (their snapshots first tell what they said), then tells the pending waits
 * of the turn's run and its sub-workflow runs not told yet (events carry no wait id). Once waits
 * are pending and no run of the turn is working (all parked), the follow pauses. A run parked
 * with no wait pending was answered just before it parked (the answer could not re-queue it yet;
 * the wait sweeper does), or waits for a child still working: the follow goes on.
 */
function treeWatch(runId: string, watcher: TurnWatcher, isOver: () => boolean, pause: (reason: "parked") => void) {
  const toldWaits = new Set<string>();
  // Runs of the tree that had ended when a snapshot read them: their text has been told.
  const settled = new Set<string>();
  return {
    settled,
    async check(subRuns: ReturnType<typeof subRunFollower>) {
      const tree = (await turnTrees([runId])).get(runId);
      if (!tree) return;
      await subRuns.follow(tree.runs.filter((run) => run.id !== runId && !settled.has(run.id)).map((run) => run.id));
      for (const wait of tree.waits) {
        if (toldWaits.has(wait.id) || isOver()) continue;
        toldWaits.add(wait.id);
        watcher.onWait(wait);
      }
      if (tree.waits.length > 0 && !tree.runs.some((run) => WORKING.has(run.status))) pause("parked");
    },
  };
}

/** The turn's own run read alone (no sub-workflow nodes) in the shape of a tree of one run. */
function ownRun(runId: string, run: TurnSnapshot, nodes: ChatNodes): TreeSnapshotRun {
  return { id: runId, parentRunId: null, parentNodeId: null, parentIteration: null, status: run.status, nodes, steps: run.steps };
}
