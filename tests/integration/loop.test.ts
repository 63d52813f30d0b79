import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { runsQueue } from "@/lib/queue/runs-queue";
import { startRun } from "@/lib/runs/service";
import { answerWait } from "@/lib/runs/waits";
import { createWorkflow } from "@/lib/workflows/service";
import { startCountingServer, type CountingServer } from "../fixtures/counting-server";
import { eventually } from "./helpers/chain";
import { createTestMember } from "./helpers/members";
import { deleteRedisKeys } from "./helpers/redis-prefix";
import { waitForRun } from "./helpers/runs";
import { waitForStatus } from "./helpers/waits";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Loops through real worker processes, PostgreSQL and Redis: a worker killed in the middle of a
 * loop is replaced and finished items are not repeated (a counting HTTP server proves it); a
 * Human approval inside the loop body parks the run per item and the loop continues on answers.
 */
const prefix = vi.hoisted(() => {
  const value = `weft-test-loop-${process.pid}`;
  process.env.WEFT_REDIS_PREFIX = value;
  return value;
});
const workerEnv = { WEFT_REDIS_PREFIX: prefix, WEFT_WORKER_LOCK_MS: "3000", WEFT_WORKER_STALLED_MS: "1000" };

let server: CountingServer;
let member: Member;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  server = await startCountingServer();
  member = await createTestMember("editor");
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop("SIGKILL")));
  await server?.close();
  await runsQueue().close();
  await deleteRedisKeys(prefix);
  await db().$disconnect();
});

beforeEach(() => server.reset());

async function worker() {
  const started = await startWorkerProcess(workerEnv);
  workers.push(started);
  return started;
}

/** start(list) → loop_1 [ fetch: POST /item/{{ item }} (→ gate, an approval, when asked) ] → end { results }. */
function loopGraph(options: { approval?: boolean; parallelism?: number } = {}): Graph {
  const body: Graph["nodes"] = [
    {
      id: "fetch",
      type: "http",
      parentId: "loop_1",
      position: { x: 40, y: 60 },
      data: { method: "POST", url: `${server.url}/item/{{ loop_1.item }}`, bodyType: "json", body: '{"index": {{ loop_1.index }}}' },
    },
  ];
  const bodyEdges: Graph["edges"] = [];
  if (options.approval) {
    body.push({
      id: "gate",
      type: "approval",
      parentId: "loop_1",
      position: { x: 300, y: 60 },
      data: { title: "Ship item {{ loop_1.item }}?", message: "It answered {{ fetch.status }}.", assigneeRole: null, timeout: null, onTimeout: "reject" },
    });
    bodyEdges.push({ id: "e_fetch_gate", source: "fetch", target: "gate" });
  }
  return {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "list", label: "", type: "array", required: true, description: "" }] } },
      {
        id: "loop_1",
        type: "loop",
        position: { x: 250, y: 0 },
        width: 600,
        height: 240,
        data: { items: "{{ start.list }}", parallelism: options.parallelism ?? 1, output: options.approval ? "gate.decision" : "fetch.body" },
      },
      ...body,
      { id: "end", type: "end", position: { x: 950, y: 0 }, data: { outputs: [{ name: "results", value: "{{ loop_1.results }}" }, { name: "count", value: "{{ loop_1.count }}" }] } },
    ],
    edges: [{ id: "e1", source: "start", target: "loop_1" }, ...bodyEdges, { id: "e2", source: "loop_1", target: "end" }],
  };
}

const counts = (items: readonly string[]) => items.map((i) => server.count(`/item/${i}`));

describe("a worker killed in the middle of a loop", () => {
  it("is replaced: finished items are reused, the item in flight runs again with the same key, the rest once", async () => {
    const workflow = await createWorkflow(member, { name: "loop crash", graph: loopGraph() });
    const items = ["a", "b", "c", "d", "e"];
    // Item c answers slowly the first time, so the worker is surely killed while it is in flight.
    server.script("/item/c", { delayMs: 4_000 });

    const first = await worker();
    const { runId } = await startRun(member, workflow.id, { inputs: { list: items } });
    await eventually(() => server.count("/item/c") === 1, 20_000, "item c in flight");
    expect(counts(items)).toEqual([1, 1, 1, 0, 0]);
    await first.stop("SIGKILL");

    await worker();
    const run = await waitForRun(runId, 40_000);
    expect(run.status).toBe("succeeded");
    // a and b finished before the crash: never called again. c was in flight: called twice.
    expect(counts(items)).toEqual([1, 1, 2, 1, 1]);
    const results = (run.output as { results: { path: string; count: number; body: { index: number } }[]; count: number }).results;
    expect(results.map((r) => r.path)).toEqual(items.map((i) => `/item/${i}`));
    expect(results.map((r) => r.body.index)).toEqual([0, 1, 2, 3, 4]);
    expect(results[2]!.count).toBe(2);
    expect((run.output as { count: number }).count).toBe(5);

    const fetches = run.steps.filter((s) => s.nodeId === "fetch").sort((x, y) => x.iteration - y.iteration);
    expect(fetches.map((s) => [s.iteration, s.status, s.attempt])).toEqual([
      [0, "succeeded", 1],
      [1, "succeeded", 1],
      [2, "succeeded", 2],
      [3, "succeeded", 1],
      [4, "succeeded", 1],
    ]);
    const keys = server.requests.filter((r) => r.path === "/item/c").map((r) => r.headers["idempotency-key"]);
    expect(keys).toEqual([`${runId}:fetch:2`, `${runId}:fetch:2`]);
  });
});

describe("a Human approval inside a loop body", () => {
  it("parks the run per item with no job held; each answer resumes the loop without repeating finished work", async () => {
    await worker();
    const workflow = await createWorkflow(member, { name: "loop approvals", graph: loopGraph({ approval: true }) });
    const items = ["x", "y"];
    const { runId } = await startRun(member, workflow.id, { inputs: { list: items } });

    await waitForStatus(runId, "waiting");
    const parked = await db().run.findUniqueOrThrow({ where: { id: runId }, include: { waits: true } });
    expect(parked.leaseOwner).toBeNull();
    expect(parked.waits.map((w) => [w.nodeId, w.iteration, w.status])).toEqual([["gate", 0, "pending"]]);
    expect(parked.waits[0]!.request).toMatchObject({ title: "Ship item x?" });
    // A waiting run holds no BullMQ job (the job completed and was removed).
    await eventually(async () => (await runsQueue().getJob(runId)) === undefined, 5_000, "the job to be gone");
    // Parallelism 1: item y has not started while x waits.
    expect(counts(items)).toEqual([1, 0]);

    await answerWait({ kind: "member", member }, runId, { nodeId: "gate", iteration: 0 }, { decision: "approve" });
    await eventually(async () => (await db().runWait.count({ where: { runId, nodeId: "gate", iteration: 1, status: "pending" } })) === 1, 20_000, "item y to wait");
    await waitForStatus(runId, "waiting");
    expect(counts(items)).toEqual([1, 1]);

    await answerWait({ kind: "member", member }, runId, { nodeId: "gate", iteration: 1 }, { decision: "reject", comment: "not y" });
    const run = await waitForRun(runId, 30_000);
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ results: ["approved", "rejected"], count: 2 });
    // Each item's HTTP call happened once, across two resumes.
    expect(counts(items)).toEqual([1, 1]);
    const gates = run.steps.filter((s) => s.nodeId === "gate").map((s) => [s.iteration, s.status, s.attempt]);
    expect(gates.sort()).toEqual([
      [0, "succeeded", 2],
      [1, "succeeded", 2],
    ]);
  });
});
