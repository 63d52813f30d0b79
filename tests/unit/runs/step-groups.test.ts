import { describe, expect, it } from "vitest";
import type { RunStepView } from "@/lib/runs/queries";
import { groupSteps } from "@/lib/runs/step-groups";

/** The run trace groups a loop's per-item steps under the loop, by item. */

let clock = 0;
function step(nodeId: string, status: RunStepView["status"], options: { loopId?: string; iteration?: number } = {}): RunStepView {
  clock += 1000;
  return {
    id: `${nodeId}:${options.iteration ?? 0}`,
    nodeId,
    nodeType: "template",
    label: null,
    loopId: options.loopId ?? null,
    iteration: options.iteration ?? 0,
    status,
    attempt: 1,
    branch: null,
    input: null,
    output: null,
    error: null,
    llm: null,
    rawDetail: null,
    reusedFromStepId: null,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    cost: null,
    warnings: [],
    startedAt: new Date(clock),
    finishedAt: new Date(clock + 10),
    durationMs: 10,
  };
}

describe("groupSteps", () => {
  it("puts each item's body steps under the loop step, in item order, with the item's overall status", () => {
    const steps = [
      step("start", "succeeded"),
      step("loop_1", "failed"),
      step("fetch", "succeeded", { loopId: "loop_1", iteration: 1 }),
      step("fetch", "succeeded", { loopId: "loop_1", iteration: 0 }),
      step("check", "failed", { loopId: "loop_1", iteration: 1 }),
      step("check", "succeeded", { loopId: "loop_1", iteration: 0 }),
      step("fetch", "waiting", { loopId: "loop_1", iteration: 2 }),
      step("end", "skipped"),
    ];
    const entries = groupSteps(steps);
    expect(entries.map((e) => (e.kind === "step" ? e.step.nodeId : `loop:${e.loopId}`))).toEqual(["start", "loop:loop_1", "end"]);
    const loop = entries[1];
    if (loop.kind !== "loop") throw new Error("expected a loop entry");
    expect(loop.step?.nodeId).toBe("loop_1");
    expect(loop.items.map((i) => [i.iteration, i.status, i.steps.map((s) => s.nodeId)])).toEqual([
      [0, "succeeded", ["fetch", "check"]],
      [1, "failed", ["fetch", "check"]],
      [2, "waiting", ["fetch"]],
    ]);
  });

  it("leaves runs without loops (and a loop over an empty list) as a flat list", () => {
    const steps = [step("start", "succeeded"), step("loop_9", "succeeded"), step("end", "succeeded")];
    expect(groupSteps(steps).map((e) => e.kind)).toEqual(["step", "step", "step"]);
  });
});
