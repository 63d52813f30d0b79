import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import type { Graph } from "@/lib/engine/graph";
import type { NodeContext, WaitingNodeExecutor, WaitResolution } from "@/lib/engine/node-kit";
import { executeRun, type RunOptions } from "@/lib/engine/run-engine";
import { MemoryEvents, MemoryStepStore, edge, end, fakeServices, graph, node, start, template, registryWithGate, testExecutors } from "./fixtures";

/**
 * The wait primitive: a node returns a NodeWait, its step parks as `waiting`, other branches go
 * on, the run's outcome is `waiting`; once the wait is resolved the step runs again with
 * `ctx.resume` and the run continues from its durable steps.
 */

const registry = registryWithGate;

/** Waits on first execution; on resume turns the resolution into its output. */
function gateExecutor(seen: NodeContext<{ prompt: string }>[]) {
  const executor: WaitingNodeExecutor<{ prompt: string }> = async (ctx) => {
    seen.push(ctx);
    if (!ctx.resume) {
      const prompt = await ctx.render(ctx.config.prompt);
      return { wait: { kind: "approval", request: { prompt }, timeoutAt: "2026-01-02T00:00:00.000Z" }, input: { prompt } };
    }
    const response = ctx.resume.response as { decision?: string } | null;
    return { output: { decision: response?.decision ?? "none", status: ctx.resume.status } };
  };
  return executor;
}

function setup(g: Graph, store = new MemoryStepStore(), overrides: RunOptions["executors"] = {}) {
  const events = new MemoryEvents();
  const seen: NodeContext<{ prompt: string }>[] = [];
  const executed: string[] = [];
  const base = { ...testExecutors(), gate: gateExecutor(seen) as NonNullable<RunOptions["executors"][string]>, ...overrides };
  const executors: RunOptions["executors"] = Object.fromEntries(
    Object.entries(base).map(([type, executor]) => [
      type,
      (ctx: NodeContext<unknown>) => {
        executed.push(ctx.nodeId);
        return executor!(ctx);
      },
    ]),
  );
  const options: RunOptions = {
    runId: "run_1",
    graph: g,
    inputs: { question: "ship it?" },
    registry,
    executors,
    store,
    events,
    services: fakeServices().services,
    signal: new AbortController().signal,
    now: () => new Date("2026-01-01T00:00:00Z"),
  };
  return { store, events, seen, executed, run: () => executeRun(options) };
}

/** start → gate → end, plus start → side (a parallel branch that does not wait). */
const gated = (): Graph =>
  graph(
    [
      start("start"),
      node("gate", "gate", { prompt: "Approve {{ start.question }}" }),
      template("side", "side work on {{ start.question }}"),
      end("end", { decision: "{{ gate.decision }}", status: "{{ gate.status }}" }),
      end("side_end", { side: "{{ side.text }}" }),
    ],
    [edge("start", "gate"), edge("gate", "end"), edge("start", "side"), edge("side", "side_end")],
  );

const answered = (decision: string): WaitResolution => ({ status: "answered", response: { decision }, answeredBy: "user_1", at: "2026-01-01T01:00:00.000Z" });

describe("a node that waits", () => {
  it("parks its step as waiting, records the wait, and ends the run as waiting", async () => {
    const { store, events, run } = setup(gated());
    const outcome = await run();

    expect(outcome.status).toBe("waiting");
    expect(store.status("gate")).toBe("waiting");
    expect(store.status("end")).toBeUndefined();
    expect(store.waitsRecorded).toEqual([
      {
        nodeId: "gate",
        iteration: 0,
        nodeType: "gate",
        input: { prompt: "Approve ship it?" },
        detail: undefined,
        wait: { kind: "approval", request: { prompt: "Approve ship it?" }, timeoutAt: "2026-01-02T00:00:00.000Z" },
        usage: undefined,
      },
    ]);
    const waitingEvent = events.events.find((e) => e.type === "step" && e.status === "waiting");
    expect(waitingEvent).toMatchObject({ nodeId: "gate", iteration: 0, wait: { kind: "approval", request: { prompt: "Approve ship it?" } } });
  });

  it("lets a parallel branch run to its end while the other waits", async () => {
    const { store, events, run } = setup(gated());
    await run();
    expect(store.status("side")).toBe("succeeded");
    expect(store.status("side_end")).toBe("succeeded");
    expect(events.steps()).toContain("side_end:succeeded");
    expect(events.steps()).not.toContain("end:running");
  });

  it("keeps a still-pending wait waiting without executing the node again", async () => {
    const first = setup(gated());
    await first.run();
    const again = setup(gated(), first.store);
    const outcome = await again.run();

    expect(outcome.status).toBe("waiting");
    expect(again.executed).toEqual([]);
    expect(first.store.status("gate")).toBe("waiting");
    expect(first.store.calls.filter((c) => c === "begin:gate")).toHaveLength(1);
  });
});

describe("resuming after the wait is resolved", () => {
  it("executes the step again with ctx.resume and finishes the run with the response", async () => {
    const first = setup(gated());
    await first.run();
    first.store.resolveWait("gate", answered("approved"));

    const resumed = setup(gated(), first.store);
    const outcome = await resumed.run();

    expect(outcome).toMatchObject({ status: "succeeded", output: { side: "side work on ship it?", decision: "approved", status: "answered" } });
    // Only the waiting node and what follows it ran; the finished parallel branch was reused.
    expect(resumed.executed).toEqual(["gate", "end"]);
    expect(resumed.seen[0]!.resume).toEqual(answered("approved"));
    expect(first.store.steps.get("gate:0")).toMatchObject({ status: "succeeded", attempt: 2, output: { decision: "approved", status: "answered" } });
  });

  it("hands a timed-out resolution to the node, which decides what it means", async () => {
    const first = setup(gated());
    await first.run();
    first.store.resolveWait("gate", { status: "timed_out", response: null, answeredBy: null, at: "2026-01-02T00:00:00.000Z" });

    const resumed = setup(gated(), first.store);
    const outcome = await resumed.run();

    expect(resumed.seen[0]!.resume?.status).toBe("timed_out");
    expect(outcome).toMatchObject({ status: "succeeded", output: { decision: "none", status: "timed_out" } });
  });

  it("fails the run when a parallel branch fails, even though another step waits", async () => {
    const { run, store } = setup(gated(), undefined, {
      template: async () => {
        throw new NodeError("template_error", "broken side branch");
      },
    });
    const outcome = await run();
    expect(outcome.status).toBe("failed");
    expect(store.status("gate")).toBe("waiting");
  });
});
