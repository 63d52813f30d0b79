import type { RunEvent } from "@/lib/engine/run-ports";
import { followRun } from "@/lib/runs/follow";
import { selectTreeSnapshot, type TreeSnapshotRun } from "./turn-sql";

/**
 * The sub-workflow runs under a chat turn, followed by the turn's stream (stream.ts) through the
 * same run follower as the turn's own run: their Answer texts and models' text belong to the chat
 * like the parent's, and a Question or approval inside a child run leaves the turn's own run
 * quietly waiting for its child, so only the child's channel says so.
 *
 * Each child is read as the tree under it (its own sub-workflow runs included), so that a child
 * that ended before it was followed still tells its descendants' answers in the order they ran.
 */

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

export interface SubRunHandlers {
  /** The tree under `runId` as read when it was followed, with the streamed text so far of its running steps. */
  onSnapshot: (runId: string, tree: TreeSnapshotRun[], partials: Map<string, string>) => void;
  onEvent: (runId: string, event: RunEvent) => void;
}

/**
 * `follow(ids)` subscribes to the runs not followed yet and resolves once each one's snapshot has
 * been handled (so the caller can hold the parent's later events behind it). A run that had
 * already ended when it was read is left at once: its snapshot said all. `stop()` unsubscribes
 * from all of them; nothing is followed after it.
 */
export function subRunFollower(handlers: SubRunHandlers) {
  const followed = new Map<string, Promise<(() => Promise<void>) | null>>();
  let stopped = false;
  const followOne = async (runId: string) => {
    let ended = false;
    const leave = await followRun<TreeSnapshotRun[]>(runId, {
      load: () => selectTreeSnapshot(runId),
      steps: (tree) => tree.find((run) => run.id === runId)?.steps ?? [],
      onSnapshot: (tree, partials) => {
        if (!tree?.length) return;
        ended = TERMINAL.has(tree[0]!.status);
        handlers.onSnapshot(runId, tree, partials);
      },
      onEvent: (event) => handlers.onEvent(runId, event),
    });
    if (!ended) return leave;
    await leave();
    return null;
  };
  return {
    isFollowed: (runId: string) => followed.has(runId),
    async follow(runIds: string[]): Promise<void> {
      const fresh = runIds.filter((runId) => !stopped && !followed.has(runId));
      // A child that cannot be followed only loses its live text and waits; the turn's stream goes on.
      for (const runId of fresh) followed.set(runId, followOne(runId).catch(() => null));
      await Promise.all(fresh.map((runId) => followed.get(runId)));
    },
    async stop() {
      stopped = true;
      await Promise.all([...followed.values()].map(async (following) => (await following)?.()));
    },
  };
}
