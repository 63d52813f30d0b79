import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import type { Graph, GraphNode } from "@/lib/engine/graph";
import type { NodeContext, WaitingNodeExecutor } from "@/lib/engine/node-kit";
import type { StepRecord } from "@/lib/engine/run-ports";
import { executeRun, type RunOptions } from "@/lib/engine/run-engine";
import { executeTemplate } from "@/lib/nodes/template/execute";
import { executeLoop } from "@/lib/nodes/loop/execute";
import { MemoryEvents, MemoryStepStore, edge, end, fakeServices, graph, node, start, template, registryWithGate, testExecutors } from "./fixtures";

/**
 * The Loop node in the engine: per-item steps keyed (body node, index), bounded parallelism,
 * results in list order, break, the item limit, per-item error policies, the step cap, crash
 * resume reusing finished items, and waits inside the body.
 */

const registry = registryWithGate;

const inBody = (n: GraphNode, loopId = "loop_1"): GraphNode => ({ ...n, parentId: loopId });
const loop = (config: Record<string, unknown> = {}) => node("loop_1", "loop", { items: "{{ start.list }}", output: "double.text", ...config });

/** start → loop_1 [ double ] → end, collecting double.text per item. */
function loopGraph(config: Record<string, unknown> = {}, body: GraphNode[] = [inBody(template("double", "{{ loop_1.item }}{{ loop_1.item }}"))], bodyEdges = [] as Graph["edges"]): Graph {
  return graph(
    [start("start", [{ name: "list", type: "array" }]), loop(config), ...body, end("end", { results: "{{ loop_1.results }}", count: "{{ loop_1.count }}" })],
    [edge("start", "loop_1"), edge("loop_1", "end"), ...bodyEdges],
  );
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

function setup(g: Graph, list: unknown[], options: { store?: MemoryStepStore; executors?: RunOptions["executors"]; limits?: RunOptions["limits"] } = {}) {
  const store = options.store ?? new MemoryStepStore();
  const events = new MemoryEvents();
  const executed: string[] = [];
  const base: RunOptions["executors"] = { ...testExecutors(), loop: executeLoop as RunOptions["executors"][string], ...options.executors };
  const executors = Object.fromEntries(
    Object.entries(base).map(([type, executor]) => [
      type,
      (ctx: NodeContext<unknown>) => {
        executed.push(`${ctx.nodeId}:${ctx.iteration}`);
        return executor!(ctx);
      },
    ]),
  );
  const run = () =>
    executeRun({
      runId: "run_1",
      graph: g,
      inputs: { list },
      registry,
      executors,
      store,
      events,
      services: fakeServices().services,
      signal: new AbortController().signal,
      sleep: async () => undefined,
      ...(options.limits ? { limits: options.limits } : {}),
    });
  return { store, events, executed, run };
}

/** A template executor that fails for the items listed. */
const failingFor = (items: unknown[]): RunOptions["executors"] => ({
  template: async (ctx) => {
    const item = (ctx.scope.loop_1 as { item: unknown } | undefined)?.item;
    if (items.includes(item)) throw new NodeError("http_error", `no luck with ${String(item)}`);
    return executeTemplate(ctx as Parameters<typeof executeTemplate>[0]);
  },
});

describe("a loop over a list", () => {
  it("runs the body once per item with per-item steps and collects the results in order", async () => {
    const { store, events, run } = setup(loopGraph(), ["a", "b", "c"]);
    const outcome = await run();

    expect(outcome).toMatchObject({ status: "succeeded", output: { results: ["aa", "bb", "cc"], count: 3 } });
    expect([0, 1, 2].map((i) => store.steps.get(`double:${i}`)?.status)).toEqual(["succeeded", "succeeded", "succeeded"]);
    expect(store.steps.get("loop_1:0")).toMatchObject({ status: "succeeded", output: { results: ["aa", "bb", "cc"], count: 3 } });
    const bodyEvents = events.events.flatMap((e) => (e.type === "step" && e.nodeId === "double" && e.status === "succeeded" ? [e.iteration] : []));
    expect(bodyEvents.sort()).toEqual([0, 1, 2]);
  });

  it("keeps the input order with parallel items that finish in any order, and bounds the parallelism", async () => {
    let open = 0;
    let most = 0;
    const delays: Record<string, number> = { a: 40, b: 5, c: 25, d: 1, e: 10 };
    const { run } = setup(loopGraph({ parallelism: 3 }), ["a", "b", "c", "d", "e"], {
      executors: {
        template: async (ctx) => {
          open++;
          most = Math.max(most, open);
          await pause(delays[(ctx.scope.loop_1 as { item: string }).item]);
          open--;
          return executeTemplate(ctx as Parameters<typeof executeTemplate>[0]);
        },
      },
    });
    const outcome = await run();
    expect(outcome).toMatchObject({ status: "succeeded", output: { results: ["aa", "bb", "cc", "dd", "ee"] } });
    expect(most).toBe(3);
  });

  it("gives each item's body its item and index, and a per-item idempotency key", async () => {
    const keys: string[] = [];
    const body = [inBody(template("double", "{{ loop_1.index }}:{{ loop_1.item.name }}"))];
    const { run } = setup(loopGraph({}, body), [{ name: "x" }, { name: "y" }], {
      executors: {
        template: async (ctx) => {
          keys.push(ctx.idempotencyKey);
          return executeTemplate(ctx as Parameters<typeof executeTemplate>[0]);
        },
      },
    });
    expect(await run()).toMatchObject({ output: { results: ["0:x", "1:y"] } });
    expect(keys).toEqual(["run_1:double:0", "run_1:double:1"]);
  });

  it("collects every body node's output by id when no result is chosen, and runs a body graph per item", async () => {
    const body = [inBody(template("first", "{{ loop_1.item }}!")), inBody(template("second", "{{ first.text }}?"))];
    const { run } = setup(loopGraph({ output: "" }, body, [edge("first", "second")]), ["p", "q"]);
    expect(await run()).toMatchObject({
      output: {
        results: [
          { first: { text: "p!" }, second: { text: "p!?" } },
          { first: { text: "q!" }, second: { text: "q!?" } },
        ],
      },
    });
  });

  it("returns an empty result for an empty list", async () => {
    const { run, executed } = setup(loopGraph(), []);
    expect(await run()).toMatchObject({ status: "succeeded", output: { results: [], count: 0 } });
    expect(executed.filter((e) => e.startsWith("double"))).toEqual([]);
  });

  it("fails with a clear message when the list is not a list", async () => {
    const g = loopGraph();
    g.nodes[0] = start("start", [{ name: "list", type: "string" }]);
    const outcome = await setup(g, "plain words" as unknown as unknown[]).run();
    expect(outcome).toMatchObject({ status: "failed", error: { code: "invalid_input" } });
    expect(outcome.status === "failed" && outcome.error.message).toContain('needs a list, but {{ start.list }} is the text "plain words"');
  });
});

describe("break condition", () => {
  it("stops after the first item that meets it (JSONata over the item's scope)", async () => {
    const { run, executed } = setup(loopGraph({ breakCondition: 'double.text = "bb"' }), ["a", "b", "c", "d"]);
    expect(await run()).toMatchObject({ status: "succeeded", output: { results: ["aa", "bb"], count: 2 } });
    expect(executed.filter((e) => e.startsWith("double"))).toEqual(["double:0", "double:1"]);
  });

  it("drops items after the breaking one even when they ran in parallel", async () => {
    const { run } = setup(loopGraph({ breakCondition: "loop_1.index = 1", parallelism: 4 }), ["a", "b", "c", "d"]);
    expect(await run()).toMatchObject({ output: { results: ["aa", "bb"], count: 2 } });
  });

  it("fails the loop when the condition gives something other than true or false", async () => {
    const outcome = await setup(loopGraph({ breakCondition: "double.text" }), ["a"]).run();
    expect(outcome).toMatchObject({ status: "failed", error: { code: "expression_error" } });
    expect(outcome.status === "failed" && outcome.error.message).toContain("Item 0: The break condition must give true or false");
  });
});

describe("limits", () => {
  it("refuses a list longer than maxLoopItems with limit_exceeded", async () => {
    const { run, executed } = setup(loopGraph(), [1, 2, 3, 4], { limits: { maxLoopItems: 3 } });
    const outcome = await run();
    expect(outcome).toMatchObject({ status: "failed", error: { code: "limit_exceeded" } });
    expect(outcome.status === "failed" && outcome.error.message).toContain("The list has 4 items; a loop takes at most 3.");
    expect(executed.filter((e) => e.startsWith("double"))).toEqual([]);
  });

  it("counts every per-item step towards the run's step limit, whatever the item error policy", async () => {
    // start + loop + 3 items = 5 steps; the 4th item would be the 6th.
    const { run, store } = setup(loopGraph({ onItemError: "continue" }), ["a", "b", "c", "d", "e"], { limits: { maxStepsPerRun: 5 } });
    const outcome = await run();
    expect(outcome).toMatchObject({ status: "failed", error: { code: "limit_exceeded" } });
    expect(outcome.status === "failed" && outcome.error.message).toContain("limit of 5 steps");
    expect(store.steps.has("double:3")).toBe(false);
  });
});

describe("a failing item", () => {
  it("fails the loop and the run by default, naming the item", async () => {
    const outcome = await setup(loopGraph(), ["a", "b", "c"], { executors: failingFor(["b"]) }).run();
    expect(outcome).toMatchObject({ status: "failed", error: { code: "http_error", nodeId: "loop_1" } });
    expect(outcome.status === "failed" && outcome.error.message).toBe('Loop node "loop_1" failed: Item 1 failed: Template node "double" failed: no luck with b');
  });

  it("counts as null with onItemError continue", async () => {
    const outcome = await setup(loopGraph({ onItemError: "continue" }), ["a", "b", "c"], { executors: failingFor(["b"]) }).run();
    expect(outcome).toMatchObject({ status: "succeeded", output: { results: ["aa", null, "cc"], count: 3 } });
  });

  it("is left out with onItemError skip", async () => {
    const { run, store } = setup(loopGraph({ onItemError: "skip" }), ["a", "b", "c"], { executors: failingFor(["b"]) });
    expect(await run()).toMatchObject({ status: "succeeded", output: { results: ["aa", "cc"], count: 2 } });
    expect(store.steps.get("double:1")?.status).toBe("failed");
  });
});

describe("resume", () => {
  it("reuses finished items after a crash and runs only the rest", async () => {
    const seed: StepRecord[] = [
      { nodeId: "start", iteration: 0, nodeType: "start", status: "succeeded", output: { list: ["a", "b", "c", "d"] }, attempt: 1 },
      { nodeId: "loop_1", iteration: 0, nodeType: "loop", status: "running", attempt: 1 },
      { nodeId: "double", iteration: 0, nodeType: "template", status: "succeeded", output: { text: "reused-a" }, attempt: 1 },
      { nodeId: "double", iteration: 1, nodeType: "template", status: "succeeded", output: { text: "reused-b" }, attempt: 1 },
      { nodeId: "double", iteration: 2, nodeType: "template", status: "running", attempt: 1 },
    ];
    const { run, executed, store } = setup(loopGraph({ parallelism: 2 }), ["a", "b", "c", "d"], { store: new MemoryStepStore(seed) });
    const outcome = await run();
    expect(outcome).toMatchObject({ status: "succeeded", output: { results: ["reused-a", "reused-b", "cc", "dd"] } });
    expect(executed.filter((e) => e.startsWith("double")).sort()).toEqual(["double:2", "double:3"]);
    expect(store.steps.get("double:2")?.attempt).toBe(2);
    expect(store.steps.get("loop_1:0")?.attempt).toBe(2);
  });
});

describe("a wait inside the body", () => {
  const gate: WaitingNodeExecutor<Record<string, never>> = async (ctx) => {
    if (!ctx.resume) return { wait: { kind: "approval", request: { item: (ctx.scope.loop_1 as { item: unknown }).item } } };
    return { output: { decision: String((ctx.resume.response as { decision: string }).decision) } };
  };
  const body = [inBody(template("double", "{{ loop_1.item }}{{ loop_1.item }}")), inBody(node("gate", "gate", {}))];
  const gated = () => loopGraph({ output: "gate.decision" }, body, [edge("double", "gate")]);
  const executors = { gate: gate as RunOptions["executors"][string] };

  it("makes the run wait; with parallelism 1 the next item waits its turn", async () => {
    const { run, store, executed } = setup(gated(), ["a", "b"], { executors });
    expect(await run()).toMatchObject({ status: "waiting" });
    expect(store.steps.get("gate:0")?.status).toBe("waiting");
    expect(store.waitsRecorded[0]).toMatchObject({ nodeId: "gate", iteration: 0, wait: { request: { item: "a" } } });
    expect(executed).not.toContain("double:1");
    expect(store.steps.get("loop_1:0")?.status).toBe("running");
  });

  it("lets other items go on with more parallelism, and continues the loop once the wait is answered", async () => {
    const first = setup(loopGraph({ output: "gate.decision", parallelism: 2 }, body, [edge("double", "gate")]), ["a", "b"], { executors });
    expect(await first.run()).toMatchObject({ status: "waiting" });
    expect(first.store.waitsRecorded.map((w) => w.iteration).sort()).toEqual([0, 1]);

    first.store.resolveWait("gate", { status: "answered", response: { decision: "yes-a" }, at: "2026-01-01T00:00:00Z" }, 0);
    const second = setup(loopGraph({ output: "gate.decision", parallelism: 2 }, body, [edge("double", "gate")]), ["a", "b"], { executors, store: first.store });
    expect(await second.run()).toMatchObject({ status: "waiting" });
    // Item 0 finished its gate; item 1 still waits and was not executed again.
    expect(second.executed).toEqual(["loop_1:0", "gate:0"]);

    first.store.resolveWait("gate", { status: "answered", response: { decision: "yes-b" }, at: "2026-01-01T00:00:01Z" }, 1);
    const third = setup(loopGraph({ output: "gate.decision", parallelism: 2 }, body, [edge("double", "gate")]), ["a", "b"], { executors, store: first.store });
    expect(await third.run()).toMatchObject({ status: "succeeded", output: { results: ["yes-a", "yes-b"], count: 2 } });
    expect(third.executed).toEqual(["loop_1:0", "gate:1", "end:0"]);
  });
});
