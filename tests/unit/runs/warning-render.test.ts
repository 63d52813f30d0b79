import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { StepItem } from "@/components/runs/step-item";
import { WarningBadge } from "@/components/runs/warning-badge";
import type { RunStepView } from "@/lib/runs/queries";

/** A step that survived a tool error shows it in its header; the run's count shows as a badge. */

const warning = { code: "tool_error", message: "orders → fail: The order service is down for maintenance.", tool: "orders_fail" };

function toolStep(detail: unknown): RunStepView {
  return {
    id: "s1",
    nodeId: "call",
    nodeType: "tool",
    label: null,
    loopId: null,
    iteration: 0,
    status: "succeeded",
    attempt: 1,
    branch: null,
    input: {},
    output: { result: null, error: { code: "tool_error", message: warning.message } },
    error: null,
    llm: null,
    rawDetail: detail,
    reusedFromStepId: null,
    promptTokens: 0,
    completionTokens: 0,
    totalTokens: 0,
    cost: null,
    warnings: [warning],
    startedAt: new Date("2026-12-04T00:00:00Z"),
    finishedAt: new Date("2026-12-04T00:00:01Z"),
    durationMs: 1000,
  };
}

describe("warnings on the run page", () => {
  it("a step with a warning shows an amber badge and the tool's message in its summary", () => {
    const html = renderToStaticMarkup(h(StepItem, { step: toolStep({ warnings: [warning] }), bar: { left: 0, width: 100 }, liveMs: null }));
    expect(html).toContain('data-testid="step-warnings"');
    expect(html).toContain("1 warning");
    expect(html).toContain("orders_fail");
    expect(html).toContain("down for maintenance");
  });

  it("the run's badge counts its warnings and is absent without any", () => {
    expect(renderToStaticMarkup(h(WarningBadge, { count: 2, testId: "run-warnings" }))).toMatch(/data-testid="run-warnings" data-count="2"[^>]*>.*2 warnings/);
    expect(renderToStaticMarkup(h(WarningBadge, { count: 0, testId: "run-warnings" }))).toBe("");
  });
});
