import type { Db } from "@/lib/db/client";
import { ServiceError } from "@/lib/services/errors";
import { requeueRun, resolveWait, type WaitDeps } from "./waits";

export interface SweepResult {
  /** Waits resolved as `timed_out`. */
  timedOut: string[];
  /** Waiting runs re-queued because a wait of theirs was resolved but the run stayed parked. */
  requeued: string[];
  /** Pending waits of runs that ended otherwise (failed, cancelled), closed as cancelled. */
  closed: number;
}

const BATCH = 500;

/**
 * Runs in every worker at start and on a timer (like the reconciler), so it is safe to run
 * anywhere, any time, concurrently: every write is a compare-and-set.
 * 1. Pending waits past `timeoutAt` resolve as `timed_out` (which re-queues their run).
 * 2. Repair: a run `waiting` while one of its steps' own waits (slot "", not one held inside a running
 *    step: held-waits.ts) is resolved and the step still waits. The
 *    worker's park guard and resolveWait's transaction make this a narrow race, but a run left so
 *    would wait forever; re-queueing it is harmless (the step re-executes with its resolution).
 * 3. Pending waits whose run already ended are closed, so nobody is asked to answer them.
 */
export async function sweepWaits(db: Db, deps: WaitDeps = {}, now: Date = new Date()): Promise<SweepResult> {
  const due = await db.runWait.findMany({
    where: { status: "pending", timeoutAt: { lte: now } },
    select: { id: true },
    orderBy: { timeoutAt: "asc" },
    take: BATCH,
  });
  const timedOut: string[] = [];
  for (const { id } of due) {
    try {
      await resolveWait({ id }, { status: "timed_out", response: null }, { ...deps, db });
      timedOut.push(id);
    } catch (error) {
      // Answered or cancelled a moment ago: nothing to do.
      if (!(error instanceof ServiceError)) throw error;
    }
  }

  const stuck = await db.$queryRaw<{ id: string }[]>`
    SELECT DISTINCT r.id FROM runs r
    JOIN run_waits w ON w."runId" = r.id
    JOIN run_steps s ON s."runId" = w."runId" AND s."nodeId" = w."nodeId" AND s.iteration = w.iteration
    WHERE r.status = 'waiting' AND w.slot = '' AND w.status IN ('answered', 'timed_out') AND s.status = 'waiting'
    LIMIT ${BATCH}`;
  const requeued: string[] = [];
  for (const { id } of stuck) {
    const moved = await db.run.updateMany({ where: { id, status: "waiting" }, data: { status: "queued", leaseOwner: null } });
    if (moved.count === 0) continue;
    await requeueRun(id, { ...deps, db });
    requeued.push(id);
  }

  const closed = await db.runWait.updateMany({
    where: { status: "pending", run: { status: { in: ["succeeded", "failed", "cancelled"] } } },
    data: { status: "cancelled", answeredAt: now },
  });
  return { timedOut, requeued, closed: closed.count };
}
