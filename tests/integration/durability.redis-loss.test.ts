import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { runsQueue } from "@/lib/queue/runs-queue";
import { startRun } from "@/lib/runs/service";
import { answerWait } from "@/lib/runs/waits";
import { createWorkflow } from "@/lib/workflows/service";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { eventually, llmChainGraph } from "./helpers/chain";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { deleteRedisKeys } from "./helpers/redis-prefix";
import { waitForRun } from "./helpers/runs";
import { approvalGraph, waitForStatus } from "./helpers/waits";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Redis loses everything (every key under this file's prefix is deleted; never FLUSHALL, the
 * Redis is shared) while runs are queued and one is running. The reconciler re-enqueues every
 * run PostgreSQL says is queued or running; all of them finish.
 */
const prefix = vi.hoisted(() => {
  const value = `weft-test-redisloss-${process.pid}`;
  process.env.WEFT_REDIS_PREFIX = value;
  return value;
});

let server: OpenAiServer;
let worker: WorkerProcess;
let member: Member;
let providerId: string;

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: "sk-test-key-1234", chunkDelayMs: 250 });
  worker = await startWorkerProcess({
    WEFT_REDIS_PREFIX: prefix,
    WEFT_WORKER_CONCURRENCY: "1",
    WEFT_WORKER_LOCK_MS: "3000",
    WEFT_WORKER_STALLED_MS: "1000",
    WEFT_RECONCILE_EVERY_MS: "1000",
    WEFT_RECONCILE_MIN_AGE_MS: "500",
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

describe("Redis loses its data", () => {
  it("re-enqueues every queued and running run from PostgreSQL; all finish, none lost", async () => {
    const workflow = await createWorkflow(member, { name: "redis loss", graph: llmChainGraph(providerId, ["a"]) });
    const runIds: string[] = [];
    for (let i = 0; i < 4; i++) runIds.push((await startRun(member, workflow.id, { inputs: { topic: `topic-${i}` } })).runId);
    await eventually(() => server.openStreams() === 1, 15_000, "the first run streaming");
    const statuses = await db().run.findMany({ where: { id: { in: runIds } }, select: { status: true } });
    expect(statuses.filter((s) => s.status === "running")).toHaveLength(1);
    expect(statuses.filter((s) => s.status === "queued")).toHaveLength(3);

    const mark = worker.output().length;
    expect(await deleteRedisKeys(prefix)).toBeGreaterThan(0);
    for (const id of runIds) expect(await runsQueue().getJob(id)).toBeUndefined();
    const lostAt = Date.now();

    const runs = await Promise.all(runIds.map((id) => waitForRun(id, 60_000)));
    const recoveredMs = Date.now() - lostAt;
    expect(runs.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
    expect(runs.map((r) => r.output)).toEqual([0, 1, 2, 3].map((i) => ({ answer: `Echo: prompt-a: topic-${i}` })));
    await worker.waitForOutput("re-enqueued runs missing from Redis", 1_000, mark);
    // Every run's step ran to success exactly once as recorded (a re-executed step would show attempt 2).
    for (const run of runs) expect(run.steps.find((s) => s.nodeId === "a")!.status).toBe("succeeded");
    console.log(`Redis data lost with 1 running + 3 queued runs → all 4 finished ${recoveredMs} ms later`);
  });

  it("with runs queued, running and waiting: the waiting runs hold nothing in Redis and all finish after answering", async () => {
    server.reset();
    const approvals = await createWorkflow(member, { name: "redis loss approvals", graph: approvalGraph() });
    const waiting = [];
    for (const customer of ["before", "after"]) {
      const { runId } = await startRun(member, approvals.id, { inputs: { customer } });
      await waitForStatus(runId, "waiting");
      waiting.push(runId);
    }
    for (const id of waiting) expect(await runsQueue().getJob(id)).toBeUndefined();

    const chain = await createWorkflow(member, { name: "redis loss chain", graph: llmChainGraph(providerId, ["a"]) });
    const llmRuns: string[] = [];
    for (let i = 0; i < 2; i++) llmRuns.push((await startRun(member, chain.id, { inputs: { topic: `w-${i}` } })).runId);
    await eventually(() => server.openStreams() === 1, 15_000, "an LLM run streaming");
    // One approval is answered before the loss: its run is queued (behind the running one) when Redis forgets it.
    await answerWait({ kind: "member", member }, waiting[0]!, { nodeId: "gate" }, { decision: "approve" });
    const statuses = await db().run.findMany({ where: { id: { in: [...llmRuns, ...waiting] } }, select: { id: true, status: true } });
    const statusOf = (id: string) => statuses.find((s) => s.id === id)!.status;
    expect(llmRuns.map(statusOf).sort()).toEqual(["queued", "running"]);
    expect(waiting.map(statusOf)).toEqual(["queued", "waiting"]);

    expect(await deleteRedisKeys(prefix)).toBeGreaterThan(0);
    await answerWait({ kind: "member", member }, waiting[1]!, { nodeId: "gate" }, { decision: "reject", comment: "after the loss" });

    const runs = await Promise.all([...llmRuns, ...waiting].map((id) => waitForRun(id, 60_000)));
    expect(runs.map((r) => r.status)).toEqual(["succeeded", "succeeded", "succeeded", "succeeded"]);
    expect(runs.slice(0, 2).map((r) => r.output)).toEqual([0, 1].map((i) => ({ answer: `Echo: prompt-a: w-${i}` })));
    expect(runs.slice(2).map((r) => r.output)).toEqual([
      { decision: "approved", comment: "", by: member.name, path: "approved for before" },
      { decision: "rejected", comment: "after the loss", by: member.name, path: "rejected for after" },
    ]);
  });
});
