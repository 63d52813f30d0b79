import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { RunEvent } from "@/lib/engine/run-ports";
import { createDeltaCoalescer } from "@/lib/runs/delta-coalescer";

const delta = (text: string, nodeId = "llm", iteration = 0): RunEvent => ({ type: "delta", nodeId, iteration, text });
const step = (status: "running" | "succeeded", nodeId = "llm"): RunEvent => ({ type: "step", nodeId, iteration: 0, status, at: "t" });

describe("delta coalescer", () => {
  let clock = 0;
  let sent: { runId: string; event: RunEvent }[] = [];
  const make = () => createDeltaCoalescer((runId, event) => sent.push({ runId, event }), { windowMs: 50, now: () => clock });
  const advance = (ms: number) => {
    clock += ms;
    vi.advanceTimersByTime(ms);
  };
  beforeEach(() => {
    vi.useFakeTimers();
    clock = 1000;
    sent = [];
  });
  afterEach(() => vi.useRealTimers());

  it("sends a step's first text at once and joins what follows within the window", () => {
    const c = make();
    c.publish("r1", delta("Hel"));
    expect(sent.map((s) => s.event)).toEqual([delta("Hel")]);
    advance(10);
    c.publish("r1", delta("lo"));
    advance(10);
    c.publish("r1", delta(", wor"));
    expect(sent).toHaveLength(1);
    advance(30);
    expect(sent.map((s) => s.event)).toEqual([delta("Hel"), delta("lo, wor")]);
    // After a quiet window, text goes at once again.
    advance(60);
    c.publish("r1", delta("ld"));
    expect(sent.at(-1)?.event).toEqual(delta("ld"));
  });

  it("releases held text before any other event of the same run, keeping the order", () => {
    const c = make();
    c.publish("r1", delta("a"));
    advance(5);
    c.publish("r1", delta("b"));
    c.publish("r1", step("succeeded"));
    expect(sent.map((s) => s.event)).toEqual([delta("a"), delta("b"), step("succeeded")]);
    advance(100);
    expect(sent).toHaveLength(3);
  });

  it("keeps steps and runs apart", () => {
    const c = make();
    c.publish("r1", delta("x", "a"));
    c.publish("r1", delta("y", "b"));
    c.publish("r2", delta("z", "a"));
    expect(sent.map((s) => `${s.runId}:${(s.event as { text: string }).text}`)).toEqual(["r1:x", "r1:y", "r2:z"]);
    c.publish("r2", delta("held", "a"));
    c.publish("r1", step("succeeded", "a"));
    // r1's step event does not release r2's text.
    expect(sent).toHaveLength(4);
    advance(50);
    expect(sent.at(-1)).toEqual({ runId: "r2", event: delta("held", "a") });
  });

  it("starts a step that runs again (retry) with its first text at once", () => {
    const c = make();
    c.publish("r1", delta("first"));
    c.publish("r1", step("succeeded"));
    c.publish("r1", step("running"));
    c.publish("r1", delta("again"));
    expect(sent.at(-1)?.event).toEqual(delta("again"));
  });

  it("flush sends everything held", () => {
    const c = make();
    c.publish("r1", delta("a"));
    c.publish("r1", delta("b"));
    c.flush();
    expect(sent.map((s) => s.event)).toEqual([delta("a"), delta("b")]);
  });
});
