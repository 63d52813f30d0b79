import { randomUUID } from "node:crypto";
import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { poolOf, type Db } from "@/lib/db/client";
import { runJobOptions, type RunJob } from "@/lib/queue/runs-queue";
import { claimOrphanedRuns, unleasedActiveRuns } from "./lease";
import { RUN_LEASE_MS } from "./step-sql";

/**
 * PostgreSQL is the source of truth; Redis may lose its data (it keeps nothing on disk here).
 * Every run PostgreSQL says is queued or running, whose lease is not live and that has no job in
 * Redis, is enqueued again. Three rules keep it from queueing work that is not lost:
 * - one pass at a time across all workers (a Redis lock with a TTL, so a dead holder frees it);
 * - jobs are looked up in batches (one pipelined EXISTS per chunk), so the list is not stale by the
 *   time the last run is checked;
 * - a run is claimed in the statement that re-checks its status and lease (lease.ts), so a run that
 *   finished or was taken by a live worker in the meantime is never queued again.
 */
export interface ReconcileOptions {
  /** Leave runs younger than this alone (their enqueue may still be on its way). */
  olderThanMs?: number;
  /** The lock's time to live: a pass that outlives it (or a holder that died) lets the next one run. */
  lockMs?: number;
  /** How long a claimed run is left to its new job before another pass may claim it again. */
  claimMs?: number;
}

export interface ReconcileResult {
  /** False when another pass held the lock (this one did nothing). */
  ran: boolean;
  requeued: string[];
}

const BATCH = 500;
const MAX_CANDIDATES = 10_000;

/** `redis` is a plain connection to the queue's Redis (the lock and the batched job lookups). */
export async function reconcileRuns(db: Db, queue: Queue<RunJob>, redis: Redis, options: ReconcileOptions = {}): Promise<ReconcileResult> {
  const lockKey = queue.toKey("reconciler-lock");
  const owner = randomUUID();
  const locked = await redis.set(lockKey, owner, "PX", options.lockMs ?? 60_000, "NX");
  if (locked !== "OK") return { ran: false, requeued: [] };
  try {
    return { ran: true, requeued: await reconcilePass(db, queue, redis, options) };
  } finally {
    // Only our own lock: after a TTL expiry another pass may hold it now.
    await redis.eval(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`, 1, lockKey, owner);
  }
}

async function reconcilePass(db: Db, queue: Queue<RunJob>, redis: Redis, options: ReconcileOptions): Promise<string[]> {
  const pool = poolOf(db);
  const cutoff = new Date(Date.now() - (options.olderThanMs ?? 0));
  const candidates = await unleasedActiveRuns(pool, cutoff, MAX_CANDIDATES);
  const requeued: string[] = [];
  for (let start = 0; start < candidates.length; start += BATCH) {
    const missing = await withoutJobs(queue, redis, candidates.slice(start, start + BATCH));
    const claimed = await claimOrphanedRuns(pool, missing, options.claimMs ?? RUN_LEASE_MS);
    if (claimed.length === 0) continue;
    // Job id = run id, so a job that appeared since the lookup is not doubled.
    await queue.addBulk(claimed.map((runId) => ({ name: "run", data: { runId }, opts: runJobOptions(runId) })));
    requeued.push(...claimed);
  }
  return requeued;
}

/** The runs of `runIds` with no job hash in Redis (in any state), in one round trip. */
async function withoutJobs(queue: Queue<RunJob>, redis: Redis, runIds: string[]): Promise<string[]> {
  if (runIds.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of runIds) pipeline.exists(queue.toKey(id));
  const replies = (await pipeline.exec()) ?? [];
  return runIds.filter((_, index) => {
    const [error, exists] = replies[index] ?? [new Error("no reply"), 0];
    if (error) throw error;
    return exists === 0;
  });
}
