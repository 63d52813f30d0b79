import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { StepItem } from "@/components/runs/step-item";
import { nodeSummary } from "@/lib/editor/summary";
import type { AgentDetail } from "@/lib/nodes/agent/trace";
import { nodeDefinitions } from "@/lib/nodes/registry";
import { nodePanels } from "@/lib/nodes/panels";
import type { RunStepView } from "@/lib/runs/queries";

const usage = { promptTokens: 10, completionTokens: 5, totalTokens: 15 };
const detail: AgentDetail = {
  agent: true,
  model: "test-model",
  tools: [{ id: "t1", name: "get_weather", kind: "http" }],
  maxIterations: 5,
  stopReason: "answer",
  temperature: 0,
  usage: { promptTokens: 20, completionTokens: 10, totalTokens: 30 },
  turns: [
    {
      iteration: 1,
      model: "test-model",
      messagesIn: [
        { role: "system", content: "Use the tools." },
        { role: "user", content: "Weather in Oslo?" },
      ],
      text: "Checking.",
      toolCalls: [
        { id: "c1", callIndex: 0, name: "get_weather", toolId: "t1", args: { city: "Oslo" }, status: "ok", result: '{"celsius":12}', durationMs: 42, startedAt: "2026-11-29T00:00:00.000Z" },
        { id: "c2", callIndex: 1, name: "get_news", toolId: null, args: {}, status: "error", error: { code: "tool_not_found", message: 'There is no tool named "get_news".' }, result: "Error" },
      ],
      finishReason: "tool_calls",
      usage,
      startedAt: "2026-11-29T00:00:00.000Z",
      durationMs: 300,
    },
    { iteration: 2, model: "test-model", messagesIn: [], text: "It is 12 °C.", toolCalls: [], finishReason: "stop", usage, startedAt: "2026-11-29T00:00:01.000Z", durationMs: 200 },
  ],
};

function step(nodeType: string, rawDetail: unknown, output: unknown): RunStepView {
  // Asserted, not annotated: other helpers are adding fields to RunStepView meanwhile.
  return {
    id: "s1",
    nodeId: nodeType,
    nodeType,
    label: null,
    iteration: 0,
    status: "succeeded",
    attempt: 1,
    branch: null,
    input: {},
    output,
    error: null,
    llm: null,
    rawDetail,
    promptTokens: 20,
    completionTokens: 10,
    totalTokens: 30,
    startedAt: new Date("2026-11-29T00:00:00Z"),
    finishedAt: new Date("2026-11-29T00:00:02Z"),
    durationMs: 2000,
    reusedFromStepId: null,
    cost: null,
  } as RunStepView;
}

describe("run page: agent trace", () => {
  it("shows the prompt, each turn's answer and tool calls with arguments, results, errors and timing", () => {
    const html = renderToStaticMarkup(h(StepItem, { step: step("agent", detail, { text: "It is 12 °C." }), bar: { left: 0, width: 100 }, liveMs: null }));
    expect(html).toContain('data-testid="agent-trace"');
    expect(html).toContain('data-testid="agent-turn-1"');
    expect(html).toContain('data-testid="agent-turn-2"');
    expect(html).toContain("Weather in Oslo?");
    expect(html).toContain("get_weather");
    expect(html).toContain("&quot;city&quot;: &quot;Oslo&quot;");
    expect(html).toContain("{&quot;celsius&quot;:12}");
    expect(html).toContain("tool_not_found");
    expect(html).toContain('data-testid="agent-iterations">2 / 5<');
    expect(html).toContain("Answered");
    expect(html).toContain("It is 12 °C.");
  });

  it("falls back to the plain JSON view for an agent step without a readable trace", () => {
    const html = renderToStaticMarkup(h(StepItem, { step: step("agent", { something: "else" }, { text: "x" }), bar: { left: 0, width: 100 }, liveMs: null }));
    expect(html).not.toContain('data-testid="agent-trace"');
    expect(html).toContain("something");
  });
});

describe("AI node panels render from their default config", () => {
  it.each(["classifier", "extractor", "agent", "tool"] as const)("%s", (type) => {
    const Panel = nodePanels[type] as unknown as (props: Record<string, unknown>) => React.ReactNode;
    const config = nodeDefinitions[type].defaultConfig();
    const html = renderToStaticMarkup(h(Panel, { nodeId: type, config, onChange: () => undefined, fields: [], problems: [] }));
    expect(html.length).toBeGreaterThan(100);
    if (type === "classifier") expect(html).toContain("Add class");
    if (type === "extractor") expect(html).toContain("Add field");
    if (type === "agent") expect(html).toContain("Tools the model may call");
    // Tools are fetched after mount: the first paint says so.
    if (type === "tool") expect(html).toMatch(/id="tool-tool" disabled=""><option value="" selected="">Loading…/);
  });
});

describe("canvas summaries of the AI nodes", () => {
  it("name the model and what each node works with", () => {
    expect(nodeSummary("classifier", { model: "gpt", classes: [{ name: "Billing" }, { name: "Bug" }] })).toEqual(["Model: gpt", "Classes: Billing, Bug"]);
    expect(nodeSummary("extractor", { fields: [] })).toEqual(["No model chosen", "No fields"]);
    expect(nodeSummary("agent", { model: "gpt", tools: ["a", "b"], maxIterations: 3 })).toEqual(["Model: gpt", "2 tools · max 3 iterations"]);
    expect(nodeSummary("tool", { toolName: "get_weather" })).toEqual(["Calls get_weather"]);
  });
});
