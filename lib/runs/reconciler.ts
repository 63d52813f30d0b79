import type { Queue } from "bullmq";
import type { Db } from "@/lib/db/client";
import { enqueueRun, type RunJob } from "@/lib/queue/runs-queue";

/**
 * PostgreSQL is the source of truth; Redis may lose its data (it keeps nothing on disk here).
 * Every run PostgreSQL says is queued or running but that has no job in Redis is enqueued again.
 * Enqueueing is idempotent (job id = run id), so running this anywhere, any time, is safe.
 */
export async function reconcileRuns(db: Db, queue: Queue<RunJob>, options: { olderThanMs?: number } = {}): Promise<string[]> {
  const cutoff = new Date(Date.now() - (options.olderThanMs ?? 0));
  const candidates = await db.run.findMany({
    where: { status: { in: ["queued", "running"] }, createdAt: { lte: cutoff } },
    select: { id: true },
    orderBy: { createdAt: "asc" },
    take: 10_000,
  });
  const requeued: string[] = [];
  for (const { id } of candidates) {
    const job = await queue.getJob(id);
    if (job) continue;
    await enqueueRun(id, queue);
    requeued.push(id);
  }
  return requeued;
}
