import { db } from "@/lib/db/client";
import type { RunEvent } from "@/lib/engine/run-ports";
import { followRun } from "@/lib/runs/follow";

/**
 * The sub-workflow runs under a chat turn, followed by the turn's stream (stream.ts) through the
 * same run follower, only to hear when one of them reaches a wait: a Question or approval inside a
 * child run leaves the turn's own run quietly waiting for its child, so the turn's channel says
 * nothing. Their steps' data and text are not the chat's and are not sent.
 */

interface SubRunSnapshot {
  status: string;
  steps: { nodeId: string; iteration: number; status: string }[];
}

const loadSubRun = (runId: string): Promise<SubRunSnapshot | null> =>
  db().run.findUnique({ where: { id: runId }, select: { status: true, steps: { where: { status: "waiting" }, select: { nodeId: true, iteration: true, status: true } } } });

const isWaiting = (event: RunEvent) => (event.type === "step" || event.type === "run") && event.status === "waiting";

/**
 * `follow(ids)` subscribes to the runs not followed yet; `onWaiting` is called when one of them
 * has a step or the whole run waiting (also when it already waited before it was followed).
 * `stop()` unsubscribes from all of them; nothing is followed after it.
 */
export function subRunFollower(onWaiting: () => void) {
  const followed = new Map<string, Promise<(() => Promise<void>) | null>>();
  let stopped = false;
  return {
    follow(runIds: string[]) {
      for (const runId of runIds) {
        if (stopped || followed.has(runId)) continue;
        const following = followRun<SubRunSnapshot>(runId, {
          load: () => loadSubRun(runId),
          // No step's streamed text is read: the chat does not show a child's text.
          steps: () => [],
          onSnapshot: (snapshot) => {
            if (snapshot && (snapshot.status === "waiting" || snapshot.steps.length > 0)) onWaiting();
          },
          onEvent: (event) => {
            if (isWaiting(event)) onWaiting();
          },
        });
        // A child that cannot be followed only loses its live wait; the turn's stream goes on.
        followed.set(runId, following.catch(() => null));
      }
    },
    async stop() {
      stopped = true;
      await Promise.all([...followed.values()].map(async (following) => (await following)?.()));
    },
  };
}
