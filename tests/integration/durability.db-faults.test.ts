import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db, poolOf } from "@/lib/db/client";
import { runsQueue } from "@/lib/queue/runs-queue";
import { startRun } from "@/lib/runs/service";
import { beginStepRow, finishRunRow } from "@/lib/runs/step-sql";
import { createWorkflow } from "@/lib/workflows/service";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { eventually, llmChainGraph } from "./helpers/chain";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { deleteRedisKeys } from "./helpers/redis-prefix";
import { waitForRun } from "./helpers/runs";
import { requeuedRunIds, startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * What an operator does to a database in trouble: terminate the worker's PostgreSQL connections
 * (pg_terminate_backend, "terminating connection due to administrator command") three times
 * during each batch of 50 runs. Every run still succeeds, with no step left `running`: the step
 * and run bookkeeping retries the statements that died, and a run whose processing was cut off is
 * queued again by the worker at once (the reconciler is slowed down to once a minute here, so it
 * cannot be what saves them).
 */
const prefix = vi.hoisted(() => {
  const value = `weft-test-dbfaults-${process.pid}`;
  process.env.WEFT_REDIS_PREFIX = value;
  return value;
});
const applicationName = `weft-test-dbfaults-worker-${process.pid}`;

let server: OpenAiServer;
let worker: WorkerProcess;
let member: Member;
let providerId: string;

beforeAll(async () => {
  // Each model call streams a few chunks, so many statements of many runs are in flight at any moment.
  server = await startOpenAiServer({ apiKey: "sk-test-key-1234", chunkDelayMs: 15 });
  worker = await startWorkerProcess({
    WEFT_REDIS_PREFIX: prefix,
    WEFT_DB_APPLICATION_NAME: applicationName,
    WEFT_WORKER_CONCURRENCY: "16",
    WEFT_RECONCILE_EVERY_MS: "60000",
  });
  member = await createTestMember();
  providerId = (await createTestProvider(member.workspaceId, server.url)).id;
});

afterAll(async () => {
  await worker?.stop("SIGKILL");
  await runsQueue().close();
  await server?.close();
  await deleteRedisKeys(prefix);
  await db().$disconnect();
});

/** Terminates every connection the worker has open (once it has some again after the last round); how many. */
async function terminateWorkerConnections(): Promise<number> {
  return eventually(async () => {
    const rows = await db().$queryRaw<{ terminated: boolean }[]>`
      SELECT pg_terminate_backend(pid) AS terminated FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = ${applicationName}`;
    const terminated = rows.filter((row) => row.terminated).length;
    return terminated > 0 ? terminated : undefined;
  }, 10_000, "the worker's database connections back");
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the worker's database connections terminated during batches of runs", () => {
  it("every run succeeds and no step is left running", async () => {
    const workflow = await createWorkflow(member, { name: "db faults", graph: llmChainGraph(providerId, ["a", "b", "c"]) });
    const terminated: number[] = [];
    const runIds: string[] = [];
    for (let batch = 0; batch < 2; batch++) {
      const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => startRun(member, workflow.id, { inputs: { topic: `t${batch}-${i}` } }).then((r) => r.runId)));
      runIds.push(...ids);
      // Three terminations while the batch is being worked on.
      for (let round = 0; round < 3; round++) {
        await sleep(300);
        terminated.push(await terminateWorkerConnections());
      }
      await Promise.all(ids.map((id) => waitForRun(id, 90_000)));
    }

    const runs = await db().run.findMany({ where: { id: { in: runIds } }, include: { steps: true } });
    const byStatus = runs.reduce<Record<string, number>>((acc, run) => ({ ...acc, [run.status]: (acc[run.status] ?? 0) + 1 }), {});
    const log = worker.output();
    const retries = log.split("database or queue fault: retrying").length - 1;
    const requeues = log.split("run interrupted by an infrastructure fault: queued again").length - 1;
    console.log(`db faults: ${runs.length} runs ${JSON.stringify(byStatus)}; connections terminated per round ${terminated.join(", ")}; statements retried ${retries}; runs queued again ${requeues}`);

    // The faults did hit the worker: it had connections open each time.
    expect(terminated.every((n) => n > 0)).toBe(true);
    // …and statements of the run path: they were retried, or their runs queued again at once.
    expect(retries + requeues).toBeGreaterThan(0);
    expect(byStatus).toEqual({ succeeded: 100 });
    for (const run of runs) {
      expect(run.output).toEqual({ answer: expect.stringMatching(/^Echo: prompt-c: Echo: prompt-b: Echo: prompt-a: t\d-\d+$/) });
      expect(run.steps.filter((s) => s.status !== "succeeded")).toEqual([]);
    }
    expect(log).not.toContain("run crashed inside the engine");
    // None of these runs waited for the reconciler (another file's leftovers in the shared database may).
    expect(requeuedRunIds(log).filter((id) => runIds.includes(id))).toEqual([]);
  }, 180_000);

  it("a write retried after its reply was lost applies once (the attempt is not counted twice, the finish is recognised)", async () => {
    const workflow = await createWorkflow(member, { name: "retried writes", graph: llmChainGraph(providerId, ["a"]) });
    const { runId } = await startRun(member, workflow.id, { inputs: { topic: "retry" } });
    await waitForRun(runId, 30_000);
    await db().run.update({ where: { id: runId }, data: { status: "running", leaseToken: 9, finishedAt: null } });
    await db().runStep.deleteMany({ where: { runId } });
    const pool = poolOf(db());
    const step = { nodeId: "a", nodeType: "llm", iteration: 0 };
    // The first try committed, its reply was lost, the retry runs the same statement.
    expect(await beginStepRow(pool, runId, 9, step, 1)).toBe(1);
    expect(await beginStepRow(pool, runId, 9, step, 1)).toBe(1);
    // A new attempt (the engine's retry, or a resume after a crash) still counts on.
    expect(await beginStepRow(pool, runId, 9, step, 2)).toBe(2);
    expect(await finishRunRow(pool, runId, 9, { status: "failed", error: { code: "internal", message: "x" } })).not.toBeNull();
    // The run is finished: a second identical finish is fenced out (the retry path recognises its own write, see finishRunRow).
    expect(await finishRunRow(pool, runId, 9, { status: "failed", error: { code: "internal", message: "x" } })).toBeNull();
    const row = await db().runStep.findUniqueOrThrow({ where: { runId_nodeId_iteration: { runId, nodeId: "a", iteration: 0 } } });
    expect([row.status, row.attempt]).toEqual(["failed", 2]);
  });
});
