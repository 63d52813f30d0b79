import { randomUUID } from "node:crypto";
import { DelayedError, WaitingError, Worker } from "bullmq";
import { poolOf, type Db } from "@/lib/db/client";
import { onTransientRetry, retried } from "@/lib/db/retry";
import { isTransientError } from "@/lib/db/transient";
import type { EngineServices } from "@/lib/engine/ports";
import { createRedis, redisPrefix } from "@/lib/queue/redis";
import { RUNS_QUEUE, RunJobSchema, createRunsQueue, enqueueRun, type RunJob } from "@/lib/queue/runs-queue";
import { subscribeToControl } from "./control";
import { createRunEventPublisher } from "./events";
import { processRun, WorkerShutdown } from "./process-run";
import { renewLeases } from "./lease";
import { reconcileRuns } from "./reconciler";
import { createFaultRequeue } from "./requeue";
import { RUN_LEASE_MS } from "./step-sql";
import { LeaseLostError } from "./step-store";
import { sweepWaits } from "./wait-sweeper";
import { wakeThrottledRun } from "@/lib/limits/workflow-concurrency";
import { startAuditPurge } from "@/lib/audit/retention";

export interface RunWorkerOptions {
  db: Db;
  servicesFor: (workspaceId: string, runId: string) => EngineServices;
  concurrency: number;
  log: {
    debug: (obj: object, msg: string) => void;
    info: (obj: object, msg: string) => void;
    warn: (obj: object, msg: string) => void;
    error: (obj: object, msg: string) => void;
  };
  /** How often the reconciler looks for runs Redis lost. */
  reconcileEveryMs?: number;
  /** The reconciler leaves runs younger than this alone (their enqueue may be on its way). */
  reconcileMinAgeMs?: number;
  /** BullMQ lock: a worker that stops renewing it (crash, pause) loses its runs after this long. */
  lockDurationMs?: number;
  /** How often BullMQ checks for jobs whose lock expired. */
  stalledIntervalMs?: number;
  /** How often the worker renews its runs' leases and re-reads their status (fallback for a lost cancel message). */
  cancelPollMs?: number;
  /** How long a run's lease holds without renewal (renewed every third of it at least). */
  leaseMs?: number;
  /** How often waits past their timeout are resolved (lib/runs/wait-sweeper.ts). */
  waitSweepEveryMs?: number;
  /** How often expired audit entries are purged (lib/audit/retention.ts). */
  auditPurgeEveryMs?: number;
  /**
   * Told of every run this worker finished (succeeded, failed, cancelled), after its outcome is
   * written; must not throw or wait (lib/telemetry exports the run from its rows). A run that parks
   * on a wait is not finished: it is reported by the worker that finishes it after it resumes.
   */
  onRunFinished?: (runId: string) => void;
}

/** Why a run's AbortController fired. */
class RunCancelled extends Error {
  constructor(runId: string) {
    super(`Run ${runId} was cancelled.`);
    this.name = "RunCancelled";
  }
}

/**
 * A BullMQ worker that executes runs, plus the reconciler and the cancel listener.
 * `shutdown(drainMs)` stops taking runs, lets in-flight ones go on for up to `drainMs`, then
 * hands the unfinished ones back to the queue so another worker resumes them at once.
 */
export function startRunWorker(options: RunWorkerOptions) {
  const workerId = `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
  const publisherRedis = createRedis();
  const publisher = createRunEventPublisher(publisherRedis);
  const queueRedis = createRedis();
  const queue = createRunsQueue(queueRedis);
  /** One AbortController per run this worker is executing. */
  const active = new Map<string, AbortController>();
  const faults = createFaultRequeue(options.log, workerId);
  const leaseMs = options.leaseMs ?? RUN_LEASE_MS;
  onTransientRetry((error, attempt, delayMs) => options.log.warn({ err: error, attempt, delayMs, workerId }, "database or queue fault: retrying"));

  const cancel = (runId: string) => {
    const controller = active.get(runId);
    if (controller && !controller.signal.aborted) {
      controller.abort(new RunCancelled(runId));
      options.log.info({ runId, workerId }, "run cancelled: aborting in-flight steps");
    }
  };

  const worker = new Worker<RunJob>(
    RUNS_QUEUE,
    async (job, token) => {
      const { runId, view } = RunJobSchema.parse(job.data);
      const controller = new AbortController();
      active.set(runId, controller);
      let slotOf: string | undefined;
      try {
        const status = await processRun(runId, {
          db: options.db,
          publish: publisher.publish,
          servicesFor: options.servicesFor,
          workerId,
          leaseMs,
          signal: controller.signal,
          onWorkflowSlot: (workflowId) => (slotOf = workflowId),
          endView: view,
          log: options.log,
        });
        faults.processed(runId);
        if (typeof status === "object") {
          // Throttled: the job waits in BullMQ's delayed set, not in this worker (lib/limits).
          await retried(() => job.moveToDelayed(status.until.getTime(), token));
          throw new DelayedError();
        }
        // Debug, not info: a synchronous log line per run cost the worker about 0.25 ms per run
        // (issue #9, a CPU profile under bench:http); failures, faults and late writes keep their own lines.
        options.log.debug({ runId, status, workerId }, "run processed");
        if (status === "succeeded" || status === "failed" || status === "cancelled") options.onRunFinished?.(runId);
        if (status === "released") {
          // Back to the waiting list right away: the next worker resumes it without waiting for the lock to expire.
          await retried(() => job.moveToWait(token));
          throw new WaitingError();
        }
        // "waiting" ends the job like a finished run: a parked run holds no job and no worker memory.
        return status;
      } catch (error) {
        if (error instanceof LeaseLostError) {
          options.log.warn({ runId, workerId }, `late write rejected: ${error.message}`);
          return;
        }
        // Not the run's failure: back in the queue at once, resumed from its durable steps.
        if (isTransientError(error)) return faults.requeue(job, token, error);
        throw error;
      } finally {
        active.delete(runId);
        // However the run let go of its workflow's concurrency slot, the next throttled run may take it now.
        if (slotOf) void wakeThrottledRun(poolOf(options.db), queue, slotOf).catch((error: unknown) => options.log.warn({ runId, err: error }, "could not wake a throttled run"));
      }
    },
    {
      connection: createRedis(),
      prefix: redisPrefix(),
      concurrency: options.concurrency,
      // Short by default so a dead worker's runs move on within seconds (renewal every lock/2 is one
      // Redis call for all of a worker's runs); fencing makes a takeover of a merely slow worker safe.
      lockDuration: options.lockDurationMs ?? 5_000,
      stalledInterval: options.stalledIntervalMs ?? 3_000,
      // A stalled run is resumed from its durable steps, so taking it again is always safe.
      maxStalledCount: 1000,
    },
  );
  // A wait resolved while this job was still active could not enqueue the run (same job id):
  // once the job is gone, enqueue it if the run is queued again.
  worker.on("completed", (job, status) => {
    if (status !== "waiting") return;
    void (async () => {
      const run = await options.db.run.findUnique({ where: { id: job.data.runId }, select: { status: true } });
      if (run?.status === "queued") await retried(() => enqueueRun(job.data.runId, queue));
    })().catch((error: unknown) => options.log.warn({ runId: job.data.runId, err: error }, "re-enqueue after wait failed; the reconciler will"));
  });
  worker.on("failed", (job, error) => options.log.error({ runId: job?.data.runId, err: error }, "run job failed"));
  worker.on("error", (error) => options.log.error({ err: error }, "worker error"));

  const reconcile = async () => {
    try {
      const { requeued } = await reconcileRuns(options.db, queue, queueRedis, { olderThanMs: options.reconcileMinAgeMs ?? 2_000, claimMs: leaseMs });
      if (requeued.length) options.log.warn({ count: requeued.length, runIds: requeued }, "re-enqueued runs missing from Redis");
    } catch (error) {
      options.log.error({ err: error }, "reconciler failed");
    }
  };
  void reconcile();
  const reconcileTimer = setInterval(reconcile, options.reconcileEveryMs ?? 30_000);

  // Wait timeouts: any worker may resolve them (compare-and-set), so every worker sweeps.
  let sweeping = false;
  const sweep = async () => {
    if (sweeping) return;
    sweeping = true;
    try {
      const swept = await sweepWaits(options.db, { queue });
      if (swept.timedOut.length || swept.requeued.length) options.log.info({ timedOut: swept.timedOut, requeued: swept.requeued }, "waits swept");
    } catch (error) {
      options.log.error({ err: error }, "wait sweeper failed");
    } finally {
      sweeping = false;
    }
  };
  void sweep();
  const sweepTimer = setInterval(sweep, options.waitSweepEveryMs ?? 5_000);
  const stopAuditPurge = startAuditPurge(options.db, options.log, options.auditPurgeEveryMs);

  // Cancel: pub/sub for speed, plus the lease renewal of this worker's active runs, which also
  // reports their status in case a message was lost.
  const unsubscribe = subscribeToControl((message) => {
    if (message.type === "cancel") cancel(message.runId);
  }).catch((error: unknown) => {
    options.log.error({ err: error }, "cancel listener failed to start; relying on the status poll");
    return async () => undefined;
  });
  const pollTimer = setInterval(async () => {
    if (active.size === 0) return;
    try {
      const leases = await renewLeases(poolOf(options.db), workerId, [...active.keys()], leaseMs);
      for (const { id, status } of leases) if (status === "cancelled") cancel(id);
    } catch (error) {
      options.log.warn({ err: error }, "lease renewal failed");
    }
  }, Math.min(options.cancelPollMs ?? 5_000, Math.floor(leaseMs / 3)));

  let closing: Promise<void> | undefined;
  const shutdown = (drainMs: number) => {
    closing ??= (async () => {
      clearInterval(reconcileTimer);
      clearInterval(sweepTimer);
      stopAuditPurge();
      clearInterval(pollTimer);
      // worker.close() stops fetching at once and resolves when the active jobs have settled.
      const drained = worker.close();
      let timer: ReturnType<typeof setTimeout> | undefined;
      const expired = await Promise.race([
        drained.then(() => false),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), drainMs))),
      ]);
      clearTimeout(timer);
      if (expired) {
        options.log.warn({ workerId, runIds: [...active.keys()] }, "drain period over: handing unfinished runs to another worker");
        for (const controller of active.values()) controller.abort(new WorkerShutdown());
        await drained;
      }
      await (await unsubscribe)();
      await queue.close();
      await publisher.flush();
      publisherRedis.disconnect();
    })();
    return closing;
  };

  return {
    workerId,
    worker,
    /** Ids of the runs this worker is executing now. */
    activeRuns: () => [...active.keys()],
    shutdown,
    /** Waits for in-flight runs without a deadline. */
    close: () => shutdown(2_147_483_647),
  };
}
