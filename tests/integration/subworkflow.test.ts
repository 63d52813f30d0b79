import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { LIMITS } from "@/lib/engine/limits";
import { cancelRun } from "@/lib/runs/cancel";
import { startRun } from "@/lib/runs/service";
import { answerWait } from "@/lib/runs/waits";
import { publishWorkflow } from "@/lib/workflows/versions";
import { createWorkflow } from "@/lib/workflows/service";
import { startCountingServer, type CountingServer } from "../fixtures/counting-server";
import { eventually } from "./helpers/chain";
import { createTestMember } from "./helpers/members";
import { deleteRedisKeys } from "./helpers/redis-prefix";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * The Sub-workflow node through real worker processes: a parent run starts a child run of a
 * published workflow, waits for it without holding a worker, and continues with its output.
 */
const prefix = vi.hoisted(() => {
  const value = `weft-test-subflow-sub-${process.pid}`;
  process.env.WEFT_REDIS_PREFIX = value;
  return value;
});
const workerEnv = { WEFT_REDIS_PREFIX: prefix, WEFT_WORKER_LOCK_MS: "3000", WEFT_WORKER_STALLED_MS: "1000", WEFT_WORKER_CONCURRENCY: "4" };

let server: CountingServer;
let member: Member;
const workers: WorkerProcess[] = [];

async function worker() {
  const started = await startWorkerProcess(workerEnv);
  workers.push(started);
  return started;
}

beforeAll(async () => {
  server = await startCountingServer();
  member = await createTestMember();
  await worker();
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop("SIGKILL")));
  await server?.close();
  await deleteRedisKeys(prefix);
  await db().$disconnect();
});

beforeEach(() => server.reset());

const startNode = (inputs: { name: string; type: string }[]) => ({
  id: "start",
  type: "start",
  position: { x: 0, y: 0 },
  data: { inputs: inputs.map((i) => ({ ...i, label: "", required: true, description: "" })) },
});
const endNode = (outputs: Record<string, string>) => ({
  id: "end",
  type: "end",
  position: { x: 600, y: 0 },
  data: { outputs: Object.entries(outputs).map(([name, value]) => ({ name, value })) },
});
const linear = (nodes: Graph["nodes"]): Graph => ({
  version: 1,
  nodes,
  edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: n.id })),
});

/** A child workflow: start(name) → optional middle node → end(greeting), published. */
async function publishedChild(name: string, middle?: Graph["nodes"][number]) {
  const nodes: Graph["nodes"] = [startNode([{ name: "name", type: "string" }])];
  if (middle) nodes.push(middle);
  nodes.push(
    { id: "greet", type: "template", position: { x: 300, y: 0 }, data: { template: "Hello {{ start.name }}", format: "text" } },
    endNode({ greeting: "{{ greet.text }}" }),
  );
  const workflow = await createWorkflow(member, { name, graph: linear(nodes) });
  await publishWorkflow(member, workflow.id);
  return workflow;
}

function parentGraph(childId: string, extra: Record<string, unknown> = {}): Graph {
  return linear([
    startNode([{ name: "who", type: "string" }]),
    { id: "sub", type: "subworkflow", position: { x: 300, y: 0 }, data: { workflowId: childId, inputs: [{ name: "name", value: "{{ start.who }}" }], ...extra } },
    endNode({ said: "{{ sub.output.greeting }}", child: "{{ sub.runId }}" }),
  ]);
}

describe("Sub-workflow node", () => {
  it("runs the child as its own run and continues with its output", async () => {
    const child = await publishedChild("greeter");
    const parent = await createWorkflow(member, { name: "parent", graph: parentGraph(child.id) });
    const run = await waitForRun((await startRun(member, parent.id, { inputs: { who: "Ada" } })).runId);
    expect(run.status).toBe("succeeded");
    const output = run.output as { said: string; child: string };
    expect(output.said).toBe("Hello Ada");
    const childRun = await db().run.findUniqueOrThrow({ where: { id: output.child } });
    expect(childRun).toMatchObject({ parentRunId: run.id, parentNodeId: "sub", parentIteration: 0, depth: 1, status: "succeeded" });
    expect(childRun.workflowVersionId).not.toBeNull();
    const step = run.steps.find((s) => s.nodeId === "sub")!;
    expect(step.detail).toMatchObject({ childRunId: childRun.id });
    // One child per step, even though the step executed twice (start, then resume with the outcome).
    expect(await db().run.count({ where: { parentRunId: run.id } })).toBe(1);
  });

  it("a failing child fails the parent's node with subworkflow_error, the child's message and its run id", async () => {
    server.on("/down", { status: 500, body: { error: "database down" } });
    const child = await publishedChild("failing child", { id: "call", type: "http", position: { x: 150, y: 0 }, data: { url: `${server.url}/down` } });
    const parent = await createWorkflow(member, { name: "parent of failing", graph: parentGraph(child.id) });
    const run = await waitForRun((await startRun(member, parent.id, { inputs: { who: "Bob" } })).runId);
    expect(run.status).toBe("failed");
    const step = run.steps.find((s) => s.nodeId === "sub")!;
    expect(step.error).toMatchObject({ code: "subworkflow_error" });
    const childRun = await db().run.findFirstOrThrow({ where: { parentRunId: run.id } });
    expect(childRun.status).toBe("failed");
    expect((step.error as { message: string }).message).toContain(childRun.id);
    expect((step.error as { message: string }).message).toContain("500");
  });

  it("stops runaway recursion (A calls B calls A …) at the depth limit", async () => {
    const a = await createWorkflow(member, { name: "ping", graph: linear([startNode([]), endNode({})]) });
    const b = await createWorkflow(member, { name: "pong", graph: linear([startNode([]), endNode({})]) });
    const calling = (other: string): Graph =>
      linear([startNode([]), { id: "sub", type: "subworkflow", position: { x: 300, y: 0 }, data: { workflowId: other, inputs: [] } }, endNode({})]);
    const { saveGraph, getWorkflow } = await import("@/lib/workflows/service");
    await saveGraph(member, a.id, { graph: calling(b.id), revision: (await getWorkflow(member, a.id)).revision });
    await saveGraph(member, b.id, { graph: calling(a.id), revision: (await getWorkflow(member, b.id)).revision });
    await publishWorkflow(member, a.id);
    await publishWorkflow(member, b.id);
    const run = await waitForRun((await startRun(member, a.id, { inputs: {} })).runId, 60_000);
    expect(run.status).toBe("failed");
    const depths = await db().run.findMany({ where: { workflowId: { in: [a.id, b.id] } }, select: { depth: true, status: true, error: true } });
    expect(Math.max(...depths.map((d) => d.depth))).toBe(LIMITS.maxSubworkflowDepth);
    const deepest = depths.find((d) => d.depth === LIMITS.maxSubworkflowDepth)!;
    expect(deepest.error).toMatchObject({ code: "limit_exceeded" });
    expect(depths.every((d) => d.status === "failed")).toBe(true);
  });

  it("an approval inside the child makes the parent wait too; answering it finishes both", async () => {
    const childGraph: Graph = {
      version: 1,
      nodes: [
        startNode([{ name: "name", type: "string" }]),
        { id: "gate", type: "approval", position: { x: 150, y: 0 }, data: { title: "Greet {{ start.name }}?", message: "" } },
        { id: "greet", type: "template", position: { x: 300, y: 0 }, data: { template: "Hello {{ start.name }}", format: "text" } },
        endNode({ greeting: "{{ greet.text }}" }),
      ],
      edges: [
        { id: "e1", source: "start", target: "gate" },
        { id: "e2", source: "gate", sourceHandle: "approved", target: "greet" },
        { id: "e3", source: "greet", target: "end" },
      ],
    };
    const child = await createWorkflow(member, { name: "child with approval", graph: childGraph });
    await publishWorkflow(member, child.id);
    const parent = await createWorkflow(member, { name: "parent of approval", graph: parentGraph(child.id) });
    const { runId } = await startRun(member, parent.id, { inputs: { who: "Eve" } });
    const childRun = await eventually(async () => (await db().run.findFirst({ where: { parentRunId: runId, status: "waiting" } })) ?? undefined, 15_000, "child waiting");
    await eventually(async () => (await db().run.findUniqueOrThrow({ where: { id: runId } })).status === "waiting", 15_000, "parent waiting");
    // Both runs are parked: no worker holds either of them.
    expect((await db().run.findMany({ where: { id: { in: [runId, childRun.id] } }, select: { leaseOwner: true } })).map((r) => r.leaseOwner)).toEqual([null, null]);
    await answerWait({ kind: "member", member }, childRun.id, { nodeId: "gate" }, { decision: "approve", comment: "" });
    const run = await waitForRun(runId, 20_000);
    expect(run.status).toBe("succeeded");
    expect((run.output as { said: string }).said).toBe("Hello Eve");
  });

  it("cancelling the parent cancels the child", async () => {
    server.on("/slow", { status: 200, body: { ok: true }, delayMs: 20_000 });
    const child = await publishedChild("slow child", { id: "call", type: "http", position: { x: 150, y: 0 }, data: { url: `${server.url}/slow`, timeoutMs: 60_000 } });
    const parent = await createWorkflow(member, { name: "parent to cancel", graph: parentGraph(child.id) });
    const { runId } = await startRun(member, parent.id, { inputs: { who: "Cy" } });
    await eventually(async () => (await db().run.findUnique({ where: { id: runId } }))?.status === "waiting", 15_000, "parent waiting");
    const childRun = await db().run.findFirstOrThrow({ where: { parentRunId: runId } });
    await cancelRun(member, runId);
    const ended = await waitForRun(childRun.id, 15_000);
    expect(ended.status).toBe("cancelled");
    expect((await waitForRun(runId)).status).toBe("cancelled");
  });

  it("cancelling the child alone fails the parent's node (it does not wait for ever)", async () => {
    server.on("/slow2", { status: 200, body: { ok: true }, delayMs: 20_000 });
    const child = await publishedChild("child to cancel", { id: "call", type: "http", position: { x: 150, y: 0 }, data: { url: `${server.url}/slow2`, timeoutMs: 60_000 } });
    const parent = await createWorkflow(member, { name: "parent of cancelled child", graph: parentGraph(child.id) });
    const { runId } = await startRun(member, parent.id, { inputs: { who: "Fay" } });
    await eventually(async () => (await db().run.findUnique({ where: { id: runId } }))?.status === "waiting", 15_000, "parent waiting");
    const childRun = await db().run.findFirstOrThrow({ where: { parentRunId: runId } });
    await cancelRun(member, childRun.id);
    const run = await waitForRun(runId, 15_000);
    expect(run.status).toBe("failed");
    expect(run.steps.find((s) => s.nodeId === "sub")?.error).toMatchObject({ code: "subworkflow_error", message: expect.stringContaining("was cancelled") });
  });

  it("survives a worker crash while the child runs: the parent continues once the child ends", async () => {
    await Promise.all(workers.splice(0).map((w) => w.stop("SIGKILL")));
    const first = await worker();
    server.on("/pause", { status: 200, body: { ok: true }, delayMs: 2_500 });
    const child = await publishedChild("paused child", { id: "call", type: "http", position: { x: 150, y: 0 }, data: { url: `${server.url}/pause` } });
    const parent = await createWorkflow(member, { name: "parent through crash", graph: parentGraph(child.id) });
    const { runId } = await startRun(member, parent.id, { inputs: { who: "Dee" } });
    await eventually(() => server.count("/pause") === 1, 15_000, "child calling /pause");
    // The parent waits (no worker holds it); the child's HTTP call is in flight on the worker we kill.
    await eventually(async () => (await db().run.findUniqueOrThrow({ where: { id: runId } })).status === "waiting", 5_000, "parent parked");
    await first.stop("SIGKILL");
    await worker();
    const run = await waitForRun(runId, 40_000);
    expect(run.status).toBe("succeeded");
    expect((run.output as { said: string }).said).toBe("Hello Dee");
    expect(server.count("/pause")).toBe(2); // the in-flight step ran again on the new worker
    expect(await db().run.count({ where: { parentRunId: runId } })).toBe(1);
  });
});
