import { describe, expect, it, vi } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import type { Graph } from "@/lib/engine/graph";
import type { NodeExecutor } from "@/lib/engine/node-kit";
import type { StepRecord } from "@/lib/engine/run-ports";
import { executeRun } from "@/lib/engine/run-engine";
import { nodeRegistry } from "@/lib/nodes/registry";
import {
  condition,
  edge,
  end,
  graph,
  linearGraph,
  llm,
  start,
  template,
  setupRun,
  testExecutors,
} from "./fixtures";

const setup = setupRun;

/** Wraps an executor to count its calls. */
function counted(executors: Record<string, NodeExecutor<unknown>>) {
  const calls: string[] = [];
  const wrapped: Record<string, NodeExecutor<unknown>> = {};
  for (const [type, executor] of Object.entries(executors)) {
    wrapped[type] = (ctx) => {
      calls.push(ctx.nodeId);
      return executor(ctx);
    };
  }
  return { calls, executors: wrapped };
}

const deferred = () => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

describe("executeRun: a linear workflow", () => {
  it("executes every node in order and returns the End output", async () => {
    const { store, events, requests, run } = setup(linearGraph());
    const outcome = await run();
    expect(outcome).toEqual({
      status: "succeeded",
      output: { answer: "echo Answer: why?" },
      usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 },
    });
    expect(requests).toHaveLength(1);
    expect(requests[0].messages[0].content).toBe("Answer: why?");
    expect(store.calls).toEqual(["begin:start", "complete:start", "begin:llm_1", "complete:llm_1", "begin:end", "complete:end"]);
    expect(store.successes.map((s) => [s.nodeId, s.output])).toEqual([
      ["start", { question: "why?" }],
      ["llm_1", { text: "echo Answer: why?", usage: { promptTokens: 3, completionTokens: 2, totalTokens: 5 } }],
      ["end", { answer: "echo Answer: why?" }],
    ]);
    expect(events.steps()).toEqual([
      "start:running",
      "start:succeeded",
      "llm_1:running",
      "llm_1:succeeded",
      "end:running",
      "end:succeeded",
    ]);
    // Tokens streamed through emitDelta become delta events.
    expect(events.events).toContainEqual({ type: "delta", nodeId: "llm_1", iteration: 0, text: "echo Answer: why?" });
    expect(events.events.find((e) => e.type === "step")).toMatchObject({ at: "2026-01-01T00:00:00.000Z" });
  });

  it("gives executors a stable idempotency key, the inputs and the upstream scope", async () => {
    const seen: unknown[] = [];
    const { run } = setup(linearGraph(), {
      runId: "run_42",
      executors: testExecutors({
        llm: async (ctx) => {
          seen.push({ key: ctx.idempotencyKey, inputs: ctx.inputs, scope: ctx.scope, path: ctx.resolvePath("start.question") });
          return { output: { text: "ok" } };
        },
      }),
    });
    await run();
    expect(seen).toEqual([
      {
        key: "run_42:llm_1:0",
        inputs: { question: "why?" },
        scope: { input: { question: "why?" }, start: { question: "why?" } },
        path: "why?",
      },
    ]);
  });

  it("stores outputs as JSON: undefined fields disappear, dates become strings", async () => {
    const { store, run } = setup(linearGraph(), {
      executors: testExecutors({ llm: async () => ({ output: { text: "t", gone: undefined, when: new Date("2026-02-03T00:00:00Z") } }) }),
    });
    await run();
    expect(store.successes[1].output).toEqual({ text: "t", when: "2026-02-03T00:00:00.000Z" });
  });
});

describe("executeRun: branches", () => {
  // start(age) → cond: case_1 age ≥ 18 → adult; case_2 age ≥ 13 → teen; else → child; all → end
  function ageGraph(): Graph {
    return graph(
      [
        start("start", [{ name: "age", type: "number" }]),
        condition("cond", [
          { id: "case_1", rules: [{ left: "start.age", operator: "greater_or_equal", right: "18" }] },
          { id: "case_2", rules: [{ left: "start.age", operator: "greater_or_equal", right: "13" }] },
        ]),
        template("adult", "adult"),
        template("adult_note", "{{ adult.text }}!"),
        template("teen", "teen"),
        template("child", "child"),
        template("join", "{{ cond.branch }}"),
        end("end", { branch: "{{ join.text }}" }),
      ],
      [
        edge("start", "cond"),
        edge("cond", "adult", "case_1"),
        edge("adult", "adult_note"),
        edge("adult_note", "join"),
        edge("cond", "teen", "case_2"),
        edge("teen", "join"),
        edge("cond", "child", "else"),
        edge("child", "join"),
        edge("join", "end"),
      ],
    );
  }

  it.each([
    [30, "case_1", ["adult", "adult_note"], ["teen", "child"]],
    [15, "case_2", ["teen"], ["adult", "adult_note", "child"]],
    [5, "else", ["child"], ["adult", "adult_note", "teen"]],
  ])("age %i takes %s, skips the other branches and joins", async (age, branch, ran, skipped) => {
    const { store, events, run } = setup(ageGraph(), { inputs: { age } });
    const outcome = await run();
    expect(outcome).toMatchObject({ status: "succeeded", output: { branch } });
    for (const id of ran) expect(store.status(id)).toBe("succeeded");
    for (const id of skipped) expect(store.status(id)).toBe("skipped");
    expect(store.status("join")).toBe("succeeded");
    expect(store.successes.find((s) => s.nodeId === "cond")).toMatchObject({ branch });
    expect(events.steps().filter((s) => s.endsWith(":skipped")).sort()).toEqual(skipped.map((id) => `${id}:skipped`).sort());
  });
});

describe("executeRun: concurrency", () => {
  function fanOut(width: number): Graph {
    const ids = Array.from({ length: width }, (_, i) => `p_${i}`);
    return graph(
      [start("start"), ...ids.map((id) => template(id, id)), template("join", ids.map((id) => `{{ ${id}.text }}`).join(",")), end("end", { r: "{{ join.text }}" })],
      [...ids.map((id) => edge("start", id)), ...ids.map((id) => edge(id, "join")), edge("join", "end")],
    );
  }

  function tracking(delayMs: number) {
    let running = 0;
    let peak = 0;
    const base = testExecutors();
    const template: NodeExecutor<unknown> = async (ctx) => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, delayMs));
      running--;
      return base.template(ctx);
    };
    return { executors: testExecutors({ template }), peak: () => peak };
  }

  it("runs independent branches in parallel, bounded by the default limit of 4", async () => {
    const t = tracking(20);
    const { run } = setup(fanOut(7), { executors: t.executors });
    const outcome = await run();
    expect(outcome).toMatchObject({ status: "succeeded", output: { r: "p_0,p_1,p_2,p_3,p_4,p_5,p_6" } });
    expect(t.peak()).toBe(4);
  });

  it("honours a lower maxConcurrency", async () => {
    const t = tracking(5);
    const { run } = setup(fanOut(3), { executors: t.executors, maxConcurrency: 1 });
    await run();
    expect(t.peak()).toBe(1);
  });

  it("merges the outputs of several End nodes in completion order", async () => {
    const g = graph(
      [start("start"), template("slow", "s"), template("fast", "f"), end("end_a", { a: "{{ slow.text }}", same: "slow" }), end("end_b", { b: "{{ fast.text }}", same: "fast" })],
      [edge("start", "slow"), edge("start", "fast"), edge("slow", "end_a"), edge("fast", "end_b")],
    );
    const base = testExecutors();
    const { run } = setup(g, {
      executors: testExecutors({
        template: async (ctx) => {
          if (ctx.nodeId === "slow") await new Promise((r) => setTimeout(r, 20));
          return base.template(ctx);
        },
      }),
    });
    expect(await run()).toMatchObject({ status: "succeeded", output: { a: "s", b: "f", same: "slow" } });
  });
});

describe("executeRun: failures", () => {
  it("fails the run with the node's error code and names the node", async () => {
    const { store, events, run } = setup(linearGraph(), {
      executors: testExecutors({
        llm: async () => {
          throw new NodeError("provider_auth", "The provider refused the API key.");
        },
      }),
    });
    const outcome = await run();
    expect(outcome).toEqual({
      status: "failed",
      error: { code: "provider_auth", message: 'LLM node "llm_1" failed: The provider refused the API key.', nodeId: "llm_1", retryable: false },
      usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    });
    expect(store.failures).toEqual([
      expect.objectContaining({ nodeId: "llm_1", error: expect.objectContaining({ code: "provider_auth", message: "The provider refused the API key." }) }),
    ]);
    expect(store.status("end")).toBeUndefined();
    expect(events.steps()).toEqual(["start:running", "start:succeeded", "llm_1:running", "llm_1:failed"]);
  });

  it("reports template errors at run time as template_error", async () => {
    // Valid graph, but the optional object input arrives without the field the template reads.
    const g = graph(
      [start("start", [{ name: "meta", type: "object" }]), template("t", "{{ start.meta.owner }}"), end("end", { r: "{{ t.text }}" })],
      [edge("start", "t"), edge("t", "end")],
    );
    const { run } = setup(g, { inputs: { meta: {} } });
    const outcome = await run();
    expect(outcome).toMatchObject({ status: "failed", error: { code: "template_error", nodeId: "t" } });
    if (outcome.status === "failed") expect(outcome.error.message).toContain("Unknown value {{ start.meta.owner }}");
  });

  it("lets in-flight siblings finish but starts nothing new after a failure", async () => {
    const g = graph(
      [start("start"), template("bad", "x"), template("slow", "y"), template("after", "{{ slow.text }}"), end("end", { r: "{{ after.text }}" })],
      [edge("start", "bad"), edge("start", "slow"), edge("slow", "after"), edge("bad", "after"), edge("after", "end")],
    );
    const slowDone = deferred();
    const base = testExecutors();
    const { store, run } = setup(g, {
      executors: testExecutors({
        template: async (ctx) => {
          if (ctx.nodeId === "bad") throw new NodeError("output_invalid", "nope");
          if (ctx.nodeId === "slow") {
            await new Promise((r) => setTimeout(r, 20));
            slowDone.resolve();
          }
          return base.template(ctx);
        },
      }),
    });
    const outcome = await run();
    expect(outcome).toMatchObject({ status: "failed", error: { code: "output_invalid", nodeId: "bad" } });
    expect(store.status("slow")).toBe("succeeded");
    expect(store.status("after")).toBeUndefined();
  });

  it("turns unexpected exceptions into internal errors and reports them to the caller", async () => {
    const onUnexpectedError = vi.fn();
    const boom = new TypeError("x is undefined");
    const { run } = setup(linearGraph(), {
      onUnexpectedError,
      executors: testExecutors({
        llm: async () => {
          throw boom;
        },
      }),
    });
    const outcome = await run();
    expect(outcome).toMatchObject({
      status: "failed",
      error: { code: "internal", nodeId: "llm_1", message: 'LLM node "llm_1" failed: The node failed with an unexpected error.' },
    });
    expect(onUnexpectedError).toHaveBeenCalledWith(boom, "llm_1");
  });

  it("fails a step whose node type has no executor", async () => {
    const executors = testExecutors();
    delete executors.llm;
    const { run } = setup(linearGraph(), { executors });
    expect(await run()).toMatchObject({ status: "failed", error: { code: "internal", nodeId: "llm_1" } });
  });

  it("refuses an invalid graph before executing anything", async () => {
    const g = linearGraph();
    g.edges.pop();
    const { store, run } = setup(g);
    const outcome = await run();
    expect(outcome).toMatchObject({ status: "failed", error: { code: "invalid_graph" } });
    if (outcome.status === "failed") expect(outcome.error.message).toMatch(/^The workflow is not valid: /);
    expect(store.calls).toEqual([]);
  });

  it("refuses inputs that do not match the Start node", async () => {
    const { store, run } = setup(linearGraph(), { inputs: { question: 42 } });
    expect(await run()).toMatchObject({ status: "failed", error: { code: "invalid_input", message: "question must be a string, got number." } });
    expect(store.calls).toEqual([]);
  });

  it("propagates a failing step store so the caller can retry the run", async () => {
    const { store, run } = setup(linearGraph());
    store.failOnComplete = "llm_1";
    await expect(run()).rejects.toThrow("database unavailable");
    expect(store.status("end")).toBeUndefined();
  });
});

describe("executeRun: limits", () => {
  it("fails a step whose output is larger than the limit", async () => {
    const { store, run } = setup(linearGraph(), {
      executors: testExecutors({ llm: async () => ({ output: { text: "é".repeat(600_000) } }) }),
    });
    const outcome = await run();
    expect(outcome).toMatchObject({ status: "failed", error: { code: "output_invalid", nodeId: "llm_1" } });
    if (outcome.status === "failed") expect(outcome.error.message).toMatch(/output is 1172 KiB; the limit is 1024 KiB per step/);
    expect(store.failures[0].error.code).toBe("output_invalid");
  });

  it("accepts an output just under the limit", async () => {
    const { run } = setup(linearGraph(), {
      limits: { maxStepOutputBytes: 100 },
      executors: testExecutors({ llm: async () => ({ output: { text: "x".repeat(80) } }) }),
    });
    expect(await run()).toMatchObject({ status: "succeeded" });
  });

  it("fails a step whose output is not JSON", async () => {
    const { run } = setup(linearGraph(), { executors: testExecutors({ llm: async () => ({ output: { n: BigInt(1) } }) }) });
    expect(await run()).toMatchObject({ status: "failed", error: { code: "output_invalid", message: expect.stringContaining("cannot be stored as JSON") } });
  });

  it("times out a step that runs too long", async () => {
    let sawAbort = false;
    const { run } = setup(linearGraph(), {
      limits: { stepTimeoutMs: 30 },
      executors: testExecutors({
        llm: (ctx) =>
          new Promise(() => {
            ctx.signal.addEventListener("abort", () => (sawAbort = true));
          }),
      }),
    });
    expect(await run()).toMatchObject({ status: "failed", error: { code: "timeout", nodeId: "llm_1" } });
    expect(sawAbort).toBe(true);
  });

  it("stops at the step limit", async () => {
    const { run } = setup(linearGraph(), { limits: { maxStepsPerRun: 2 } });
    expect(await run()).toMatchObject({
      status: "failed",
      error: { code: "limit_exceeded", message: 'The run reached the limit of 2 steps per run and was stopped before End node "end".', nodeId: "end" },
    });
  });
});

describe("executeRun: resume", () => {
  const done = (nodeId: string, nodeType: string, output: Record<string, unknown>, branch?: string): StepRecord => ({
    nodeId,
    nodeType,
    iteration: 0,
    status: "succeeded",
    output,
    branch: branch ?? null,
    attempt: 1,
  });

  it("reuses succeeded steps and re-executes the one that was running", async () => {
    const c = counted(testExecutors());
    const { store, requests, run } = setup(linearGraph(), { executors: c.executors }, [
      done("start", "start", { question: "why?" }),
      { nodeId: "llm_1", nodeType: "llm", iteration: 0, status: "running", attempt: 1 },
    ]);
    const outcome = await run();
    expect(c.calls).toEqual(["llm_1", "end"]);
    expect(requests).toHaveLength(1);
    expect(store.steps.get("llm_1:0")?.attempt).toBe(2);
    expect(outcome).toMatchObject({ status: "succeeded", output: { answer: "echo Answer: why?" } });
  });

  it("never re-executes finished steps: their stored outputs feed later nodes", async () => {
    const c = counted(testExecutors());
    const { requests, run } = setup(linearGraph(), { executors: c.executors }, [
      done("start", "start", { question: "why?" }),
      done("llm_1", "llm", { text: "answer from before the crash" }),
    ]);
    const outcome = await run();
    expect(c.calls).toEqual(["end"]);
    expect(requests).toHaveLength(0);
    expect(outcome).toMatchObject({ status: "succeeded", output: { answer: "answer from before the crash" } });
  });

  it("re-executes a failed step", async () => {
    const c = counted(testExecutors());
    const { run } = setup(linearGraph(), { executors: c.executors }, [
      done("start", "start", { question: "why?" }),
      { nodeId: "llm_1", nodeType: "llm", iteration: 0, status: "failed", attempt: 1, error: { code: "timeout", message: "slow" } },
    ]);
    expect(await run()).toMatchObject({ status: "succeeded" });
    expect(c.calls).toEqual(["llm_1", "end"]);
  });

  it("keeps the branch a condition took and the skips already recorded", async () => {
    const g = graph(
      [
        start("start", [{ name: "age", type: "number" }]),
        condition("cond", [{ id: "case_1", rules: [{ left: "start.age", operator: "greater_than", right: "17" }] }]),
        template("yes", "adult"),
        template("no", "minor"),
        end("end", { r: "{{ cond.branch }}" }),
      ],
      [edge("start", "cond"), edge("cond", "yes", "case_1"), edge("cond", "no", "else"), edge("yes", "end"), edge("no", "end")],
    );
    const c = counted(testExecutors());
    // The recorded branch wins even though age 30 would now take case_1.
    const { store, run } = setup(g, { inputs: { age: 30 }, executors: c.executors }, [
      done("start", "start", { age: 30 }),
      done("cond", "condition", { branch: "else" }, "else"),
      { nodeId: "yes", nodeType: "template", iteration: 0, status: "skipped", attempt: 0 },
    ]);
    const outcome = await run();
    expect(c.calls).toEqual(["no", "end"]);
    expect(store.calls.filter((x) => x.startsWith("skip"))).toEqual([]);
    expect(outcome).toMatchObject({ status: "succeeded", output: { r: "else" } });
  });
});

describe("executeRun: cancellation", () => {
  it("aborts in-flight nodes and returns cancelled without starting more", async () => {
    const controller = new AbortController();
    const started = deferred();
    let signalled = false;
    const { store, run } = setup(linearGraph(), {
      signal: controller.signal,
      executors: testExecutors({
        llm: (ctx) =>
          new Promise((_, reject) => {
            started.resolve();
            ctx.signal.addEventListener("abort", () => {
              signalled = true;
              reject(new Error("aborted"));
            });
          }),
      }),
    });
    const pending = run();
    await started.promise;
    controller.abort();
    expect(await pending).toEqual({ status: "cancelled", usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 } });
    expect(signalled).toBe(true);
    expect(store.failures).toEqual([expect.objectContaining({ nodeId: "llm_1", error: expect.objectContaining({ code: "cancelled" }) })]);
    expect(store.status("end")).toBeUndefined();
  });

  it("does not wait for an executor that ignores the signal", async () => {
    const controller = new AbortController();
    const started = deferred();
    const { run } = setup(linearGraph(), {
      signal: controller.signal,
      executors: testExecutors({
        llm: () => {
          started.resolve();
          return new Promise(() => undefined);
        },
      }),
    });
    const pending = run();
    await started.promise;
    controller.abort();
    expect(await pending).toMatchObject({ status: "cancelled" });
  });

  it("starts nothing when the run is already cancelled", async () => {
    const controller = new AbortController();
    controller.abort();
    const { store, run } = setup(linearGraph(), { signal: controller.signal });
    expect(await run()).toMatchObject({ status: "cancelled" });
    expect(store.calls).toEqual([]);
  });
});
