import { DelayedError, type Job } from "bullmq";
import { backoffMs, retried } from "@/lib/db/retry";
import type { RunJob } from "@/lib/queue/runs-queue";

/**
 * A run whose processing was cut off by an infrastructure fault (the database or Redis still
 * unreachable after the bookkeeping's own retries) is not the run's failure: the worker that saw
 * it puts the job straight back in the queue, after a short pause that grows while the faults go
 * on (so a database that is still down is not hammered), and the next pickup resumes the run
 * from its durable steps. Without this, the job would fail and the run wait for the reconciler.
 */
export function createFaultRequeue(log: { warn: (obj: object, msg: string) => void }, workerId: string) {
  /** Runs put back after a fault, and how many times in a row (a memory of recent faults only). */
  const faults = new Map<string, number>();
  return {
    /** The run was processed: its next fault starts the backoff afresh. */
    processed(runId: string) {
      faults.delete(runId);
    },
    /** Moves the job to the delayed set and throws BullMQ's DelayedError (the job neither completes nor fails). */
    async requeue(job: Job<RunJob>, token: string | undefined, error: unknown): Promise<never> {
      const runId = job.data.runId;
      const count = (faults.get(runId) ?? 0) + 1;
      // A run that moved on to another worker leaves its entry behind: keep the map bounded.
      if (faults.size > 10_000) faults.clear();
      faults.set(runId, count);
      const delayMs = backoffMs(count, 200, 10_000);
      log.warn({ runId, workerId, err: error, delayMs }, "run interrupted by an infrastructure fault: queued again");
      await retried(() => job.moveToDelayed(Date.now() + delayMs, token));
      throw new DelayedError();
    },
  };
}
