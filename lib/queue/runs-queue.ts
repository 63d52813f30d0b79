import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { createRedis, redisPrefix } from "./redis";

export const RUNS_QUEUE = "runs";

/**
 * The whole job contract: the run id, and whether a caller waits for the run's end with its view
 * (a synchronous API call: the end message then carries the view, lib/runs/events.ts). Everything
 * else the worker reads from PostgreSQL.
 */
export const RunJobSchema = z.object({ runId: z.string().uuid(), view: z.boolean().optional() });
export type RunJob = z.infer<typeof RunJobSchema>;

export function createRunsQueue(connection: Redis = createRedis()): Queue<RunJob> {
  return new Queue<RunJob>(RUNS_QUEUE, { connection, prefix: redisPrefix() });
}

const holder = globalThis as unknown as { __weftRunsQueue?: Queue<RunJob> };
export function runsQueue(): Queue<RunJob> {
  holder.__weftRunsQueue ??= createRunsQueue();
  return holder.__weftRunsQueue;
}

/**
 * Idempotent enqueue: job id = run id, so enqueuing a run twice (API retry, reconciler) adds one job.
 * Finished jobs are removed so a run can be enqueued again later (resume).
 */
export async function enqueueRun(runId: string, queue: Queue<RunJob> = runsQueue(), options: { view?: boolean } = {}): Promise<void> {
  await queue.add("run", options.view ? { runId, view: true } : { runId }, runJobOptions(runId));
}

/** The options of every run job (also used by the reconciler's bulk enqueue). */
export const runJobOptions = (runId: string) => ({ jobId: runId, removeOnComplete: true, removeOnFail: true, attempts: 1 });
