import { db } from "@/lib/db/client";

/** Polls PostgreSQL until the run reaches a terminal status (the worker is a separate process). */
export async function waitForRun(runId: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await db().run.findUniqueOrThrow({ where: { id: runId }, include: { steps: { orderBy: { startedAt: "asc" } } } });
    if (["succeeded", "failed", "cancelled"].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
