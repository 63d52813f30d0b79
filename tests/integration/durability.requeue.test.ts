import { Worker } from "bullmq";
import { afterAll, describe, expect, it, vi } from "vitest";
import { createRedis, redisPrefix } from "@/lib/queue/redis";
import { RUNS_QUEUE, createRunsQueue, enqueueRun, type RunJob } from "@/lib/queue/runs-queue";
import { createFaultRequeue } from "@/lib/runs/requeue";
import { deleteRedisKeys } from "./helpers/redis-prefix";

/**
 * A job whose run was cut off by an infrastructure fault goes straight back to the queue from the
 * worker that saw it (not after the reconciler's next pass, 30 s later by default), and the next
 * pickup processes it. A real BullMQ worker on the real Redis, with a processor that meets a
 * terminated database connection the first time.
 */
const prefix = vi.hoisted(() => {
  const value = `weft-test-requeue-${process.pid}`;
  process.env.WEFT_REDIS_PREFIX = value;
  return value;
});

const queue = createRunsQueue();
let worker: Worker<RunJob> | undefined;

afterAll(async () => {
  await worker?.close();
  await queue.close();
  await deleteRedisKeys(prefix);
});

describe("a run interrupted by an infrastructure fault", () => {
  it("is queued again at once by the worker that saw it and processed on the next pickup", async () => {
    const warnings: string[] = [];
    const faults = createFaultRequeue({ warn: (_, msg) => warnings.push(msg) }, "test-worker");
    const pickups: number[] = [];
    const fault = Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" });
    let done: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => (done = resolve));
    worker = new Worker<RunJob>(
      RUNS_QUEUE,
      async (job, token) => {
        pickups.push(Date.now());
        if (pickups.length === 1) return faults.requeue(job, token, fault);
        faults.processed(job.data.runId);
        done();
        return "succeeded";
      },
      { connection: createRedis(), prefix: redisPrefix() },
    );
    const failed: unknown[] = [];
    worker.on("failed", (_, error) => failed.push(error));
    const runId = "7d8f2c1e-5b6a-4c3d-9e8f-0a1b2c3d4e5f";
    await enqueueRun(runId, queue);
    await finished;
    expect(pickups).toHaveLength(2);
    // The second pickup follows within the backoff (at most 200 ms the first time) plus BullMQ's own latency.
    expect(pickups[1]! - pickups[0]!).toBeLessThan(3_000);
    expect(failed).toEqual([]);
    expect(warnings).toEqual(["run interrupted by an infrastructure fault: queued again"]);
  });
});
