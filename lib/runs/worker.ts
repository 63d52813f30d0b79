import { randomUUID } from "node:crypto";
import { Worker } from "bullmq";
import type { Db } from "@/lib/db/client";
import type { EngineServices } from "@/lib/engine/ports";
import { createRedis, redisPrefix } from "@/lib/queue/redis";
import { RUNS_QUEUE, RunJobSchema, createRunsQueue, type RunJob } from "@/lib/queue/runs-queue";
import { createRunEventPublisher } from "./events";
import { processRun } from "./process-run";
import { reconcileRuns } from "./reconciler";
import { LeaseLostError } from "./step-store";

export interface RunWorkerOptions {
  db: Db;
  servicesFor: (workspaceId: string) => EngineServices;
  concurrency: number;
  log: { info: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void };
  /** How often the reconciler looks for runs Redis lost. */
  reconcileEveryMs?: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/** A BullMQ worker that executes runs, plus the reconciler. `close()` drains in-flight runs. */
export function startRunWorker(options: RunWorkerOptions) {
  const workerId = `worker-${process.pid}-${randomUUID().slice(0, 8)}`;
  const publisherRedis = createRedis();
  const publisher = createRunEventPublisher(publisherRedis);
  const queueRedis = createRedis();
  const queue = createRunsQueue(queueRedis);

  const worker = new Worker<RunJob>(
    RUNS_QUEUE,
    async (job) => {
      const { runId } = RunJobSchema.parse(job.data);
      try {
        const status = await processRun(runId, {
          db: options.db,
          publish: publisher.publish,
          servicesFor: options.servicesFor,
          workerId,
          log: options.log,
        });
        options.log.info({ runId, status }, "run processed");
      } catch (error) {
        if (error instanceof LeaseLostError) {
          options.log.warn({ runId, workerId }, error.message);
          return;
        }
        throw error;
      }
    },
    {
      connection: createRedis(),
      prefix: redisPrefix(),
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      // A stalled run is resumed from its durable steps, so taking it again is always safe.
      maxStalledCount: 1000,
    },
  );
  worker.on("failed", (job, error) => options.log.error({ runId: job?.data.runId, err: error }, "run job failed"));
  worker.on("error", (error) => options.log.error({ err: error }, "worker error"));

  const reconcile = async () => {
    try {
      const requeued = await reconcileRuns(options.db, queue, { olderThanMs: 2_000 });
      if (requeued.length) options.log.warn({ count: requeued.length }, "re-enqueued runs missing from Redis");
    } catch (error) {
      options.log.error({ err: error }, "reconciler failed");
    }
  };
  void reconcile();
  const timer = setInterval(reconcile, options.reconcileEveryMs ?? 30_000);

  return {
    workerId,
    worker,
    async close() {
      clearInterval(timer);
      await worker.close();
      await queue.close();
      publisherRedis.disconnect();
    },
  };
}
