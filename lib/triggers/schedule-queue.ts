import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { createRedis, redisPrefix } from "@/lib/queue/redis";

/**
 * Schedules fire through BullMQ job schedulers on their own queue: one scheduler per enabled
 * schedule (id `schedule:<id>`), whose jobs carry only the schedule id. PostgreSQL stays the source
 * of truth: the worker that takes a fire re-reads the row, and workers reconcile the schedulers
 * with the rows at start (lib/triggers/schedule-worker.ts).
 */
export const SCHEDULES_QUEUE = "schedules";
export const FireJobSchema = z.object({ scheduleId: z.string().uuid() });
export type FireJob = z.infer<typeof FireJobSchema>;

export const schedulerIdOf = (scheduleId: string) => `schedule:${scheduleId}`;
export const scheduleIdOf = (schedulerId: string) => (schedulerId.startsWith("schedule:") ? schedulerId.slice("schedule:".length) : null);

export function createSchedulesQueue(connection: Redis = createRedis()): Queue<FireJob> {
  return new Queue<FireJob>(SCHEDULES_QUEUE, { connection, prefix: redisPrefix() });
}

const holder = globalThis as unknown as { __weftSchedulesQueue?: Queue<FireJob> };
export const schedulesQueue = (): Queue<FireJob> => (holder.__weftSchedulesQueue ??= createSchedulesQueue());

export interface SchedulerSpec {
  id: string;
  cron: string;
  timezone: string;
  enabled: boolean;
}

/** Makes Redis match one row: a scheduler for an enabled schedule, none for a paused or deleted one. */
export async function syncScheduler(queue: Queue<FireJob>, schedule: SchedulerSpec | { id: string; enabled: false }): Promise<void> {
  if (!schedule.enabled) {
    await queue.removeJobScheduler(schedulerIdOf(schedule.id));
    return;
  }
  const spec = schedule as SchedulerSpec;
  await queue.upsertJobScheduler(
    schedulerIdOf(spec.id),
    { pattern: spec.cron, tz: spec.timezone },
    { name: "fire", data: { scheduleId: spec.id }, opts: { removeOnComplete: true, removeOnFail: true, attempts: 1 } },
  );
}
