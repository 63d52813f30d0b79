import type { Queue } from "bullmq";
import type pg from "pg";
import type { RunJob } from "@/lib/queue/runs-queue";
import { retried } from "@/lib/db/retry";
import { leaseStatement, takeLeaseUnlessLimited, type LeasedRun } from "@/lib/runs/step-sql";
import { RunThrottled } from "./throttled";

/**
 * A workflow's concurrency limit (Workflow.maxConcurrentRuns): at most that many of its runs
 * execute at once, across all workers. The slot is the run's lease itself: a run counts while
 * it is `running` with a live lease, so a parked (waiting) or throttled run holds none, and the
 * slot of a worker that died frees itself when its lease expires (RUN_LEASE_MS) or another
 * worker takes the run over. The count and the lease are one transaction under a per-workflow
 * advisory lock, so two workers never both take the last slot.
 */

/** How soon a run refused for its workflow's concurrency looks again (a slot frees when any run of it ends or parks). */
export const WORKFLOW_SLOT_POLL_MS = 1_000;

/** A lease taken under a workflow's concurrency limit: when the run lets go of it, a throttled run of the workflow may go (wakeThrottledRun). */
export type LimitedLease = LeasedRun & { concurrencyLimited?: boolean };

export async function takeLeaseWithinWorkflowLimit(pool: pg.Pool, runId: string, workerId: string, leaseMs: number): Promise<LimitedLease | RunThrottled | null> {
  const first = await takeLeaseUnlessLimited(pool, runId, workerId, leaseMs);
  if (first === null || "leaseToken" in first) return first;
  const workflow = first;
  const max = workflow.max;
  return retried(async () => {
    const client = await pool.connect();
    let failed: Error | undefined;
    try {
      await client.query("BEGIN");
      await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [`weft:workflow-runs:${workflow.workflowId}`]);
      const busy = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM runs
         WHERE "workflowId" = $1 AND id <> $2 AND status = 'running' AND "leaseOwner" IS NOT NULL AND "leaseExpiresAt" > now() AT TIME ZONE 'UTC'`,
        [workflow.workflowId, runId],
      );
      let result: LimitedLease | RunThrottled | null;
      if (busy.rows[0]!.n >= max) {
        const reason = `workflow "${workflow.name}" runs at most ${max} at once`;
        // Back to queued without an owner, unless another worker holds a live lease on it (then it is that worker's).
        await client.query(
          `UPDATE runs SET status = 'queued', "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
             "throttledReason" = $2, "throttledUntil" = now() AT TIME ZONE 'UTC' + $3 * interval '1 millisecond'
           WHERE id = $1 AND status IN ('queued', 'running') AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < now() AT TIME ZONE 'UTC')`,
          [runId, reason, WORKFLOW_SLOT_POLL_MS],
        );
        result = new RunThrottled(reason, WORKFLOW_SLOT_POLL_MS);
      } else {
        const leased = await leaseStatement(client, runId, workerId, leaseMs);
        result = leased && { ...leased, concurrencyLimited: true };
      }
      await client.query("COMMIT");
      return result;
    } catch (error) {
      failed = error instanceof Error ? error : new Error(String(error));
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      // A connection that failed mid-transaction is closed rather than reused.
      client.release(failed);
    }
  });
}

/**
 * A run of a concurrency-limited workflow let go of its slot (finished, parked, throttled, handed
 * back): the oldest throttled run of the workflow is tried now instead of at its next poll.
 * Best effort: if this fails, that run's delayed job fires after WORKFLOW_SLOT_POLL_MS anyway.
 */
export async function wakeThrottledRun(pool: pg.Pool, queue: Queue<RunJob>, workflowId: string): Promise<string | null> {
  const { rows } = await pool.query<{ id: string }>(
    `SELECT id FROM runs WHERE "workflowId" = $1 AND status = 'queued' AND "throttledReason" IS NOT NULL ORDER BY "createdAt" ASC LIMIT 1`,
    [workflowId],
  );
  const runId = rows[0]?.id;
  if (!runId) return null;
  const job = await queue.getJob(runId);
  if (!job || !(await job.isDelayed())) return null;
  await job.promote();
  return runId;
}
