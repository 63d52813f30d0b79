import { db } from "@/lib/db/client";
import { STEP_ORDER } from "@/lib/runs/step-order";

/** Polls PostgreSQL until the run reaches a terminal status (the worker is a separate process). */
export async function waitForRun(runId: string, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = await db().run.findUniqueOrThrow({ where: { id: runId }, include: { steps: { orderBy: STEP_ORDER } } });
    if (["succeeded", "failed", "cancelled"].includes(run.status)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.status} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
