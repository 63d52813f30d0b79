import { Worker, type Queue } from "bullmq";
import type { Db } from "@/lib/db/client";
import { createRedis, redisPrefix } from "@/lib/queue/redis";
import { fireSchedule, type FireLog } from "./schedule-fire";
import { FireJobSchema, SCHEDULES_QUEUE, createSchedulesQueue, scheduleIdOf, schedulerIdOf, syncScheduler, type FireJob } from "./schedule-queue";

export interface ScheduleWorkerOptions {
  db: Db;
  log: FireLog & { error: (obj: object, msg: string) => void };
  /** A fire delivered later than this after its time was missed (WEFT_SCHEDULE_MISFIRE_GRACE_MS). */
  graceMs: number;
  /** How often the schedulers are reconciled with PostgreSQL after the start (WEFT_RECONCILE_EVERY_MS). */
  reconcileEveryMs: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/**
 * Makes Redis's job schedulers match PostgreSQL: removes schedulers whose schedule is gone or
 * paused, adds or fixes those of enabled schedules. Returns the enabled rows.
 */
export async function reconcileSchedulers(db: Db, queue: Queue<FireJob>) {
  const rows = await db.schedule.findMany({ where: { enabled: true }, select: { id: true, cron: true, timezone: true, enabled: true, misfirePolicy: true, nextFireAt: true } });
  const wanted = new Map(rows.map((row) => [schedulerIdOf(row.id), row]));
  const existing = await queue.getJobSchedulers();
  const have = new Map(existing.map((s) => [s.key, s]));
  let removed = 0;
  let added = 0;
  for (const scheduler of existing) {
    if (scheduleIdOf(scheduler.key) !== null && !wanted.has(scheduler.key)) {
      await queue.removeJobScheduler(scheduler.key);
      removed++;
    }
  }
  for (const [key, row] of wanted) {
    const current = have.get(key);
    if (current && current.pattern === row.cron && (current.tz ?? "UTC") === row.timezone) continue;
    await syncScheduler(queue, row);
    added++;
  }
  return { rows, removed, added };
}

/**
 * The fires of schedules missed while every worker was down (nextFireAt in the past): run once
 * (policy run_once, keyed by the missed time, so workers starting together start one run) or skip.
 */
async function catchUpMissed(db: Db, rows: Awaited<ReturnType<typeof reconcileSchedulers>>["rows"], options: ScheduleWorkerOptions): Promise<void> {
  const now = new Date();
  for (const row of rows) {
    if (!row.nextFireAt || now.getTime() - row.nextFireAt.getTime() <= options.graceMs) continue;
    if (row.misfirePolicy === "run_once") {
      const outcome = await fireSchedule(db, row.id, row.nextFireAt, { graceMs: options.graceMs, log: options.log, force: true });
      options.log.info({ scheduleId: row.id, missed: row.nextFireAt, outcome }, "missed schedule fire caught up at start");
    } else {
      await fireSchedule(db, row.id, row.nextFireAt, { graceMs: options.graceMs, log: options.log });
    }
  }
}

/** The worker that takes schedule fires (every worker process runs one; BullMQ hands each fire to one of them). */
export function startScheduleWorker(options: ScheduleWorkerOptions) {
  const queue = createSchedulesQueue(createRedis());
  const worker = new Worker<FireJob>(
    SCHEDULES_QUEUE,
    async (job) => {
      const { scheduleId } = FireJobSchema.parse(job.data);
      // The scheduler's time for this fire (not when it was delivered): the fire's idempotency key.
      const scheduledAt = new Date(job.opts.prevMillis ?? job.timestamp);
      return fireSchedule(options.db, scheduleId, scheduledAt, { graceMs: options.graceMs, log: options.log });
    },
    {
      connection: createRedis(),
      prefix: redisPrefix(),
      concurrency: 8,
      lockDuration: options.lockDurationMs ?? 5_000,
      stalledInterval: options.stalledIntervalMs ?? 3_000,
      maxStalledCount: 1000,
    },
  );
  worker.on("error", (error) => options.log.error({ err: error }, "schedule worker error"));
  worker.on("failed", (job, error) => options.log.error({ scheduleId: job?.data.scheduleId, err: error }, "schedule fire failed"));

  const reconcile = async (atStart: boolean) => {
    try {
      const result = await reconcileSchedulers(options.db, queue);
      if (result.removed || result.added) options.log.info({ removed: result.removed, added: result.added }, "schedulers reconciled with PostgreSQL");
      if (atStart) await catchUpMissed(options.db, result.rows, options);
    } catch (error) {
      options.log.error({ err: error }, "schedule reconciliation failed");
    }
  };
  const ready = reconcile(true);
  const timer = setInterval(() => void reconcile(false), options.reconcileEveryMs);
  return {
    worker,
    /** Resolves once the start-up reconciliation and catch-up are done. */
    ready,
    async close() {
      clearInterval(timer);
      await ready;
      await worker.close();
      await queue.close();
    },
  };
}
