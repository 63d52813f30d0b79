import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import type { Graph, GraphNode } from "@/lib/engine/graph";
import type { NodeExecutor } from "@/lib/engine/node-kit";
import { nodeOutputHandles, retryDelayMs, stepPolicy, type NodeSettingsInput } from "@/lib/engine/policy";
import type { StepRecord } from "@/lib/engine/run-ports";
import { executeRun, type AttemptRecord, type RunOptions } from "@/lib/engine/run-engine";
import { nodeRegistry } from "@/lib/nodes/registry";
import { MemoryEvents, MemoryStepStore, edge, end, fakeServices, graph, llm, start, testExecutors } from "./fixtures";

/** Per-node settings live beside the config in node.data. */
const withSettings = (node: GraphNode, settings: NodeSettingsInput): GraphNode => ({ ...node, data: { ...node.data, settings } });

function linear(settings: NodeSettingsInput): Graph {
  return graph(
    [start("start"), withSettings(llm("llm_1", "Answer: {{ start.question }}"), settings), end("end", { answer: "{{ llm_1.text }}" })],
    [edge("start", "llm_1"), edge("llm_1", "end")],
  );
}

/** start → llm_1 ─out→ end_ok; llm_1 ─error→ end_err */
function branching(): Graph {
  return graph(
    [
      start("start"),
      withSettings(llm("llm_1", "{{ start.question }}"), { onError: "branch" }),
      end("end_ok", { answer: "{{ llm_1.text }}" }),
      node("tpl_err", "template", { template: "Sorry: {{ llm_1.error.message }}", format: "text" }),
      end("end_err", { apology: "{{ tpl_err.text }}", code: "{{ llm_1.error.code }}" }),
    ],
    [edge("start", "llm_1"), edge("llm_1", "end_ok"), edge("llm_1", "tpl_err", "error"), edge("tpl_err", "end_err")],
  );
}

function node(id: string, type: string, data: Record<string, unknown>): GraphNode {
  return { id, type, position: { x: 0, y: 0 }, data };
}

/** An LLM executor that fails with the given errors first, then answers. */
function flaky(errors: NodeError[]) {
  let calls = 0;
  const executor: NodeExecutor<unknown> = async () => {
    const error = errors[calls++];
    if (error) throw error;
    return { output: { text: `ok after ${calls}` }, input: { prompt: "p" } };
  };
  return { executor, calls: () => calls };
}

function setup(g: Graph, overrides: Partial<RunOptions> = {}, seed: StepRecord[] = []) {
  const store = new MemoryStepStore(seed);
  const events = new MemoryEvents();
  const delays: number[] = [];
  const options: RunOptions = {
    runId: "run_1",
    graph: g,
    inputs: { question: "why?" },
    registry: nodeRegistry,
    executors: testExecutors(),
    store,
    events,
    services: fakeServices().services,
    signal: new AbortController().signal,
    sleep: async (ms) => {
      delays.push(ms);
    },
    ...overrides,
  };
  return { store, events, delays, run: () => executeRun(options) };
}

const unavailable = () => new NodeError("provider_unavailable", "The provider failed (503).");
const retry3 = { retry: { maxAttempts: 3, backoff: "exponential" as const, initialDelayMs: 100, maxDelayMs: 1_000 } };

describe("retry", () => {
  it("succeeds on the 3rd attempt, waiting with exponential backoff and recording every attempt", async () => {
    const llmExec = flaky([unavailable(), unavailable()]);
    const { store, events, delays, run } = setup(linear(retry3), { executors: testExecutors({ llm: llmExec.executor }) });
    const outcome = await run();
    expect(outcome).toMatchObject({ status: "succeeded", output: { answer: "ok after 3" } });
    expect(llmExec.calls()).toBe(3);
    expect(delays).toEqual([100, 200]);
    expect(store.steps.get("llm_1:0")?.attempt).toBe(3);
    expect(store.calls.filter((c) => c === "begin:llm_1")).toHaveLength(3);
    const step = store.successes.find((s) => s.nodeId === "llm_1")!;
    expect(step.detail?.attempts).toEqual<AttemptRecord[]>([
      { attempt: 1, code: "provider_unavailable", message: "The provider failed (503).", retryInMs: 100 },
      { attempt: 2, code: "provider_unavailable", message: "The provider failed (503).", retryInMs: 200 },
    ]);
    // Watchers see the step running three times, never failed.
    expect(events.steps().filter((s) => s.startsWith("llm_1"))).toEqual(["llm_1:running", "llm_1:running", "llm_1:running", "llm_1:succeeded"]);
  });

  it("does not retry an error that is not retryable", async () => {
    const llmExec = flaky([new NodeError("provider_auth", "The provider rejected the API key (401).")]);
    const { store, delays, run } = setup(linear({ retry: { ...retry3.retry, maxAttempts: 5 } }), { executors: testExecutors({ llm: llmExec.executor }) });
    expect(await run()).toMatchObject({ status: "failed", error: { code: "provider_auth", nodeId: "llm_1" } });
    expect(llmExec.calls()).toBe(1);
    expect(delays).toEqual([]);
    expect(store.failures[0].detail?.attempts).toBeUndefined();
  });

  it("does not retry without a retry setting (the default is one attempt)", async () => {
    const llmExec = flaky([unavailable()]);
    const { delays, run } = setup(linear({}), { executors: testExecutors({ llm: llmExec.executor }) });
    expect(await run()).toMatchObject({ status: "failed", error: { code: "provider_unavailable" } });
    expect(llmExec.calls()).toBe(1);
    expect(delays).toEqual([]);
  });

  it("fails after the last attempt, keeping the whole attempt history", async () => {
    const llmExec = flaky([unavailable(), unavailable(), unavailable()]);
    const { store, run } = setup(linear(retry3), { executors: testExecutors({ llm: llmExec.executor }) });
    expect(await run()).toMatchObject({ status: "failed", error: { code: "provider_unavailable" } });
    expect(llmExec.calls()).toBe(3);
    expect(store.failures[0].detail?.attempts).toEqual([
      { attempt: 1, code: "provider_unavailable", message: "The provider failed (503).", retryInMs: 100 },
      { attempt: 2, code: "provider_unavailable", message: "The provider failed (503).", retryInMs: 200 },
      { attempt: 3, code: "provider_unavailable", message: "The provider failed (503)." },
    ]);
  });

  it("honours a provider's Retry-After instead of the backoff", async () => {
    const limited = new NodeError("provider_rate_limit", "Slow down (429).", { retryAfterMs: 7_000 });
    const llmExec = flaky([limited]);
    const { store, delays, run } = setup(linear(retry3), { executors: testExecutors({ llm: llmExec.executor }) });
    expect(await run()).toMatchObject({ status: "succeeded" });
    expect(delays).toEqual([7_000]);
    expect(store.successes.find((s) => s.nodeId === "llm_1")?.detail?.attempts).toEqual([
      { attempt: 1, code: "provider_rate_limit", message: "Slow down (429).", retryInMs: 7_000, retryAfterMs: 7_000 },
    ]);
  });

  it("keeps Retry-After (even across withTrace) and caps every wait", () => {
    const error = new NodeError("provider_rate_limit", "x", { retryAfterMs: 5_000 }).withTrace({ input: 1 });
    expect(error.retryAfterMs).toBe(5_000);
    const policy = stepPolicy({ onError: "fail", retry: { maxAttempts: 5, backoff: "exponential", initialDelayMs: 1_000, maxDelayMs: 4_000 } }, { stepTimeoutMs: 1 });
    expect([1, 2, 3, 4].map((n) => retryDelayMs(policy, n, undefined, { maxRetryDelayMs: 600_000 }))).toEqual([1_000, 2_000, 4_000, 4_000]);
    expect(retryDelayMs({ ...policy, backoff: "fixed" }, 4, undefined, { maxRetryDelayMs: 600_000 })).toBe(1_000);
    expect(retryDelayMs(policy, 1, 3_600_000, { maxRetryDelayMs: 600_000 })).toBe(600_000);
  });

  it("retries a step that timed out (timeouts are retryable)", async () => {
    let calls = 0;
    let sawAbort = false;
    const llmExec: NodeExecutor<unknown> = (ctx) => {
      calls++;
      if (calls === 1) {
        return new Promise(() => ctx.signal.addEventListener("abort", () => (sawAbort = true)));
      }
      return Promise.resolve({ output: { text: "second time lucky" } });
    };
    const { store, run } = setup(linear({ retry: { ...retry3.retry, maxAttempts: 2 } }), {
      executors: testExecutors({ llm: llmExec }),
      limits: { stepTimeoutMs: 30 },
    });
    expect(await run()).toMatchObject({ status: "succeeded", output: { answer: "second time lucky" } });
    expect(sawAbort).toBe(true);
    expect((store.successes.find((s) => s.nodeId === "llm_1")?.detail?.attempts as AttemptRecord[])[0]).toMatchObject({
      code: "timeout",
      message: "The step did not finish within 30 ms.",
    });
  });

  it("interrupts the backoff when the run is cancelled", async () => {
    const controller = new AbortController();
    const llmExec: NodeExecutor<unknown> = async () => {
      setTimeout(() => controller.abort(), 10);
      throw unavailable();
    };
    const { store, run } = setup(linear({ retry: { maxAttempts: 3, backoff: "fixed", initialDelayMs: 600_000, maxDelayMs: 600_000 } }), {
      executors: testExecutors({ llm: llmExec }),
      signal: controller.signal,
      sleep: undefined, // the real, abortable sleep
    });
    const started = Date.now();
    expect(await run()).toMatchObject({ status: "cancelled" });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(store.failures[0]).toMatchObject({ nodeId: "llm_1", error: { code: "cancelled" } });
    expect(store.failures[0].detail?.attempts).toEqual([
      { attempt: 1, code: "provider_unavailable", message: "The provider failed (503).", retryInMs: 600_000 },
    ]);
    expect(store.status("end")).toBeUndefined();
  });
});

describe("timeout setting", () => {
  it("fails the step with `timeout` after the node's own timeout and aborts the executor's signal", async () => {
    let sawAbort = false;
    const { run } = setup(linear({ timeoutMs: 1_000 }), {
      limits: { stepTimeoutMs: 60_000 },
      executors: testExecutors({ llm: (ctx) => new Promise(() => ctx.signal.addEventListener("abort", () => (sawAbort = true))) }),
    });
    const started = Date.now();
    const outcome = await run();
    expect(outcome).toMatchObject({ status: "failed", error: { code: "timeout", nodeId: "llm_1", message: expect.stringContaining("did not finish within 1 s") } });
    expect(sawAbort).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });
});

describe("on error: continue", () => {
  it("records the error on a succeeded step and continues with the default output", async () => {
    const llmExec = flaky([new NodeError("provider_bad_request", "The provider refused the request (400).")]);
    const { store, events, run } = setup(linear({ onError: "continue", defaultOutput: { text: "fallback" } }), {
      executors: testExecutors({ llm: llmExec.executor }),
    });
    expect(await run()).toMatchObject({ status: "succeeded", output: { answer: "fallback" } });
    const step = store.successes.find((s) => s.nodeId === "llm_1")!;
    const error = { code: "provider_bad_request", message: "The provider refused the request (400)." };
    expect(step.output).toEqual({ text: "fallback" });
    expect(step.error).toMatchObject(error);
    expect(step.detail).toMatchObject({ error });
    expect(store.status("llm_1")).toBe("succeeded");
    const event = events.events.find((e) => e.type === "step" && e.nodeId === "llm_1" && e.status === "succeeded");
    expect(event).toMatchObject({ error, output: { text: "fallback" } });
  });

  it("retries first, and continues only once the attempts are used up", async () => {
    const llmExec = flaky([unavailable(), unavailable(), unavailable()]);
    const { store, run } = setup(linear({ ...retry3, onError: "continue", defaultOutput: { text: "fallback" } }), {
      executors: testExecutors({ llm: llmExec.executor }),
    });
    expect(await run()).toMatchObject({ status: "succeeded", output: { answer: "fallback" } });
    expect(llmExec.calls()).toBe(3);
    expect(store.successes.find((s) => s.nodeId === "llm_1")?.detail?.attempts).toHaveLength(3);
  });
});

describe("on error: branch", () => {
  it("takes only the error handle on failure, skipping the normal path", async () => {
    const llmExec = flaky([new NodeError("provider_auth", "Bad key.")]);
    const { store, run } = setup(branching(), { executors: testExecutors({ llm: llmExec.executor }) });
    expect(await run()).toMatchObject({ status: "succeeded", output: { apology: "Sorry: Bad key.", code: "provider_auth" } });
    expect(store.successes.find((s) => s.nodeId === "llm_1")).toMatchObject({
      output: { error: { code: "provider_auth", message: "Bad key." } },
      branch: "error",
      error: { code: "provider_auth" },
    });
    expect(store.status("end_ok")).toBe("skipped");
    expect(store.status("end_err")).toBe("succeeded");
  });

  it("leaves the error handle dead on success, skipping the error path to its end", async () => {
    const { store, run } = setup(branching());
    expect(await run()).toMatchObject({ status: "succeeded", output: { answer: "echo why?" } });
    expect(store.status("tpl_err")).toBe("skipped");
    expect(store.status("end_err")).toBe("skipped");
    expect(store.successes.find((s) => s.nodeId === "llm_1")?.branch).toBeUndefined();
  });

  it("resumes down the error branch a step that took it before a crash", async () => {
    const seed: StepRecord[] = [
      { nodeId: "start", nodeType: "start", iteration: 0, status: "succeeded", output: { question: "why?" }, attempt: 1 },
      { nodeId: "llm_1", nodeType: "llm", iteration: 0, status: "succeeded", output: { error: { code: "timeout", message: "slow" } }, branch: "error", attempt: 2 },
    ];
    const { store, run } = setup(branching(), {}, seed);
    expect(await run()).toMatchObject({ status: "succeeded", output: { apology: "Sorry: slow", code: "timeout" } });
    expect(store.status("end_ok")).toBe("skipped");
  });

  it("adds the error handle to the node's handles only in branch mode", () => {
    const def = nodeRegistry.llm!;
    const data = llm("x", "hi").data;
    expect(nodeOutputHandles(def, data).map((h) => h.id)).toEqual(["out"]);
    expect(nodeOutputHandles(def, { ...data, settings: { onError: "branch" } })).toEqual([
      { id: "out", label: "" },
      { id: "error", label: "ERROR" },
    ]);
    // Start and End take no settings.
    expect(nodeOutputHandles(nodeRegistry.start!, { ...start("s").data, settings: { onError: "branch" } }).map((h) => h.id)).toEqual(["out"]);
  });
});

describe("run deadline", () => {
  it("stops the run with `timeout` when the deadline passes, aborting the step in flight", async () => {
    let sawAbort = false;
    const { store, run } = setup(linear({ onError: "continue" }), {
      limits: { maxRunDurationMs: 50 },
      executors: testExecutors({ llm: (ctx) => new Promise(() => ctx.signal.addEventListener("abort", () => (sawAbort = true))) }),
    });
    const outcome = await run();
    expect(outcome).toEqual({
      status: "failed",
      error: { code: "timeout", message: "The run exceeded its time limit of 50 ms and was stopped." },
      usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    });
    expect(sawAbort).toBe(true);
    // On error "continue" does not swallow the run's own deadline.
    expect(store.failures[0]).toMatchObject({ nodeId: "llm_1", error: { code: "timeout", message: expect.stringContaining("time limit") } });
    expect(store.status("end")).toBeUndefined();
  });

  it("interrupts a backoff that would outlive the deadline", async () => {
    const llmExec = flaky([unavailable()]);
    const { store, run } = setup(linear({ retry: { maxAttempts: 3, backoff: "fixed", initialDelayMs: 600_000, maxDelayMs: 600_000 } }), {
      limits: { maxRunDurationMs: 40 },
      executors: testExecutors({ llm: llmExec.executor }),
      sleep: undefined,
    });
    expect(await run()).toMatchObject({ status: "failed", error: { code: "timeout" } });
    expect(llmExec.calls()).toBe(1);
    expect(store.failures[0].error.code).toBe("timeout");
  });

  it("counts from the run's first start, so a resumed run past its deadline runs nothing", async () => {
    const llmExec = flaky([]);
    const at = new Date("2026-01-01T03:00:00Z");
    const { store, run } = setup(linear({}), {
      now: () => at,
      startedAt: new Date("2026-01-01T00:00:00Z"),
      executors: testExecutors({ llm: llmExec.executor }),
    });
    expect(await run()).toMatchObject({ status: "failed", error: { code: "timeout", message: "The run exceeded its time limit of 2 h and was stopped." } });
    expect(llmExec.calls()).toBe(0);
    expect(store.calls).toEqual([]);
  });
});

describe("step cap", () => {
  it("stops with limit_exceeded before the step past the cap; retries do not count as steps", async () => {
    const llmExec = flaky([unavailable()]);
    const { store, run } = setup(linear(retry3), { limits: { maxStepsPerRun: 2 }, executors: testExecutors({ llm: llmExec.executor }) });
    expect(await run()).toMatchObject({ status: "failed", error: { code: "limit_exceeded", nodeId: "end" } });
    expect(store.status("llm_1")).toBe("succeeded");
    expect(store.status("end")).toBeUndefined();
  });
});
