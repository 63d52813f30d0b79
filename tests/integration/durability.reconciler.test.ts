import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db, poolOf } from "@/lib/db/client";
import { runsQueue } from "@/lib/queue/runs-queue";
import { cancelRun } from "@/lib/runs/cancel";
import { reconcileRuns } from "@/lib/runs/reconciler";
import { startRun } from "@/lib/runs/service";
import { beginStepRow, finishRunRow } from "@/lib/runs/step-sql";
import { createWorkflow } from "@/lib/workflows/service";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { llmChainGraph } from "./helpers/chain";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { deleteRedisKeys } from "./helpers/redis-prefix";
import { waitForRun } from "./helpers/runs";
import { requeuedRunIds, startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * The reconciler re-queues only runs that are really lost: one pass at a time across workers (a
 * Redis lock), the claim re-checks status and lease in SQL, so runs finishing during a pass and
 * runs leased by a live worker are never queued again. And a run that ends failed or cancelled
 * never leaves a step `running`.
 */
const prefix = vi.hoisted(() => {
  const value = `weft-test-reconciler-${process.pid}`;
  process.env.WEFT_REDIS_PREFIX = value;
  return value;
});

let server: OpenAiServer;
let member: Member;
let providerId: string;
let redis: Redis;
let worker: WorkerProcess | undefined;

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: "sk-test-key-1234", chunkDelayMs: 5 });
  member = await createTestMember();
  providerId = (await createTestProvider(member.workspaceId, server.url)).id;
  redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
});

afterAll(async () => {
  await worker?.stop("SIGKILL");
  redis?.disconnect();
  await runsQueue().close();
  await server?.close();
  await deleteRedisKeys(prefix);
  await db().$disconnect();
});

const pass = () => reconcileRuns(db(), runsQueue(), redis, { olderThanMs: 0 });

/** Runs queued in PostgreSQL whose jobs Redis lost (no worker runs in this part of the file). */
async function orphanedRuns(count: number, name: string): Promise<string[]> {
  const workflow = await createWorkflow(member, { name, graph: llmChainGraph(providerId, ["a"]) });
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await startRun(member, workflow.id, { inputs: { topic: `o${i}` } })).runId);
  await deleteRedisKeys(prefix);
  return ids;
}

/** Takes the runs out of the way of later tests. */
async function retire(ids: string[]) {
  await deleteRedisKeys(prefix);
  await db().run.updateMany({ where: { id: { in: ids } }, data: { status: "cancelled", leaseExpiresAt: null } });
}

describe("the reconciler", () => {
  it("runs one pass at a time: of two passes at once, one re-queues every lost run and the other does nothing", async () => {
    const ids = await orphanedRuns(30, "two passes");
    const results = await Promise.all([pass(), pass()]);
    expect(results.map((r) => r.ran).sort()).toEqual([false, true]);
    const working = results.find((r) => r.ran)!;
    expect(working.requeued.sort()).toEqual([...ids].sort());
    expect(results.find((r) => !r.ran)!.requeued).toEqual([]);
    for (const id of ids) expect(await runsQueue().getJob(id)).toBeDefined();
    // Claimed runs are not claimed again while their new job gets going.
    await deleteRedisKeys(prefix);
    expect((await pass()).requeued).toEqual([]);
    await retire(ids);
  });

  it("never re-queues a run leased by a live worker, nor a finished one; re-queues a running run whose lease expired", async () => {
    const [live, finished, expired] = await orphanedRuns(3, "leases");
    const soon = new Date(Date.now() + 60_000);
    await db().run.update({ where: { id: live }, data: { status: "running", leaseOwner: "worker-alive", leaseToken: 1, leaseExpiresAt: soon } });
    await db().run.update({ where: { id: finished }, data: { status: "succeeded", finishedAt: new Date() } });
    await db().run.update({ where: { id: expired }, data: { status: "running", leaseOwner: "worker-dead", leaseToken: 1, leaseExpiresAt: new Date(Date.now() - 60_000) } });
    expect((await pass()).requeued).toEqual([expired]);
    await retire([live!, finished!, expired!]);
  });

  it("does not re-queue runs that finish while passes run (a worker is executing them)", async () => {
    worker = await startWorkerProcess({ WEFT_REDIS_PREFIX: prefix, WEFT_WORKER_CONCURRENCY: "8", WEFT_RECONCILE_EVERY_MS: "60000" });
    const workflow = await createWorkflow(member, { name: "finishing", graph: llmChainGraph(providerId, ["a", "b"]) });
    const ids = await Promise.all(Array.from({ length: 80 }, (_, i) => startRun(member, workflow.id, { inputs: { topic: `f${i}` } }).then((r) => r.runId)));
    let done = false;
    const finishing = Promise.all(ids.map((id) => waitForRun(id, 60_000))).finally(() => (done = true));
    const requeued: string[] = [];
    let passes = 0;
    while (!done) {
      const result = await pass();
      if (result.ran) passes++;
      requeued.push(...result.requeued);
    }
    const runs = await finishing;
    const processed = (status: string) => worker!.output().split(`"status":"${status}"`).length - 1;
    const skipped = processed("skipped");
    expect(processed("succeeded")).toBe(ids.length);
    console.log(`reconciler: ${passes} passes while ${ids.length} runs finished; re-queued ${requeued.length}; jobs processed as skipped ${skipped}`);
    expect(passes).toBeGreaterThan(0);
    expect(runs.every((run) => run.status === "succeeded")).toBe(true);
    expect(requeued).toEqual([]);
    expect(skipped).toBe(0);
    // The tests below set runs up by hand, with no worker to take them.
    await worker.stop("SIGKILL");
  });

  it("two workers reconciling every 200 ms while 200 runs go through: nothing is queued again, no job is skipped", async () => {
    // The default minimum age (2 s) stays: younger runs may still be between their row and their job.
    const fast = { WEFT_REDIS_PREFIX: prefix, WEFT_WORKER_CONCURRENCY: "8", WEFT_RECONCILE_EVERY_MS: "200" };
    const pair = await Promise.all([startWorkerProcess(fast), startWorkerProcess(fast)]);
    try {
      const workflow = await createWorkflow(member, { name: "soak", graph: llmChainGraph(providerId, ["a"]) });
      const ids: string[] = [];
      for (let i = 0; i < 200; i++) ids.push((await startRun(member, workflow.id, { inputs: { topic: `s${i}` } })).runId);
      const runs = await Promise.all(ids.map((id) => waitForRun(id, 90_000)));
      const logs = pair.map((w) => w.output()).join("\n");
      const count = (text: string) => logs.split(text).length - 1;
      console.log(`soak: ${runs.length} runs with 2 workers reconciling every 200 ms; re-enqueue passes ${count("re-enqueued runs missing from Redis")}; jobs skipped ${count('"status":"skipped"')}`);
      expect(runs.every((run) => run.status === "succeeded")).toBe(true);
      expect(count('"status":"succeeded"')).toBe(200);
      // None of these runs was queued again (another file's leftovers in the shared database may be).
      expect(requeuedRunIds(logs).filter((id) => ids.includes(id))).toEqual([]);
      expect(count('"status":"skipped"')).toBe(0);
    } finally {
      await Promise.all(pair.map((w) => w.stop("SIGKILL")));
    }
  }, 180_000);
});

describe("a run that ends failed or cancelled", () => {
  it("failed: the statement that finishes the run closes its running step", async () => {
    const [runId] = await orphanedRuns(1, "failed with a running step");
    await db().run.update({ where: { id: runId }, data: { status: "running", leaseToken: 7 } });
    const pool = poolOf(db());
    expect(await beginStepRow(pool, runId!, 7, { nodeId: "a", nodeType: "llm", iteration: 0 })).toBe(1);
    const written = await finishRunRow(pool, runId!, 7, { status: "failed", error: { code: "internal", message: "x" } });
    expect(written).not.toBeNull();
    const steps = await db().runStep.findMany({ where: { runId } });
    expect(steps.map((s) => [s.nodeId, s.status])).toEqual([["a", "failed"]]);
    expect(steps[0]!.error).toMatchObject({ code: "internal" });
    expect(steps[0]!.finishedAt).not.toBeNull();
  });

  it("cancelled: a running step of a run no worker holds any more is closed as cancelled", async () => {
    const [runId] = await orphanedRuns(1, "cancelled with a running step");
    await db().run.update({ where: { id: runId }, data: { status: "running", leaseToken: 3, leaseOwner: "worker-dead" } });
    await beginStepRow(poolOf(db()), runId!, 3, { nodeId: "a", nodeType: "llm", iteration: 0 });
    await cancelRun(member, runId!);
    const step = await db().runStep.findUniqueOrThrow({ where: { runId_nodeId_iteration: { runId: runId!, nodeId: "a", iteration: 0 } } });
    expect(step.status).toBe("failed");
    expect(step.error).toMatchObject({ code: "cancelled" });
  });
});
