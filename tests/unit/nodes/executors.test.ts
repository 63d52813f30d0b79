import { describe, expect, it } from "vitest";
import type { NodeContext } from "@/lib/engine/node-kit";
import { renderTemplate, resolvePath } from "@/lib/engine/template";
import { ConditionConfigSchema } from "@/lib/nodes/condition/definition";
import { evaluateRule, executeCondition } from "@/lib/nodes/condition/execute";
import { EndConfigSchema } from "@/lib/nodes/end/definition";
import { executeEnd } from "@/lib/nodes/end/execute";
import { StartConfigSchema } from "@/lib/nodes/start/definition";
import { executeStart } from "@/lib/nodes/start/execute";
import { TemplateConfigSchema } from "@/lib/nodes/template/definition";
import { executeTemplate } from "@/lib/nodes/template/execute";

function ctx<C>(config: C, scope: Record<string, unknown> = {}, inputs: Record<string, unknown> = {}): NodeContext<C> {
  return {
    runId: "run_1",
    nodeId: "node_1",
    iteration: 0,
    idempotencyKey: "run_1:node_1:0",
    config,
    inputs,
    scope,
    render: (t) => renderTemplate(t, scope),
    resolvePath: (p) => resolvePath(scope, p),
    signal: new AbortController().signal,
    services: { chat: () => Promise.reject(new Error("no model in this test")) },
    emitDelta: () => undefined,
  };
}

describe("start executor", () => {
  it("publishes the declared inputs, null for absent optional ones", async () => {
    const config = StartConfigSchema.parse({
      inputs: [
        { name: "question", type: "string" },
        { name: "limit", type: "number", required: false },
      ],
    });
    const result = await executeStart(ctx(config, {}, { question: "why?" }));
    expect(result.output).toEqual({ question: "why?", limit: null });
    expect(result.input).toEqual({ question: "why?", limit: null });
  });
});

describe("template executor", () => {
  const scope = { start: { name: "ada", tags: ["x", "y"] } };

  it("renders text", async () => {
    const result = await executeTemplate(ctx(TemplateConfigSchema.parse({ template: "Hi {{ start.name | capitalize }}" }), scope));
    expect(result.output).toEqual({ text: "Hi Ada" });
  });

  it("parses JSON when asked", async () => {
    const config = TemplateConfigSchema.parse({ template: '{"name": {{ start.name | json }}, "tags": {{ start.tags }}}', format: "json" });
    const result = await executeTemplate(ctx(config, scope));
    expect(result.output).toEqual({ text: '{"name": "ada", "tags": ["x","y"]}', json: { name: "ada", tags: ["x", "y"] } });
  });

  it("fails with output_invalid when the JSON does not parse", async () => {
    const config = TemplateConfigSchema.parse({ template: "{ name: {{ start.name }} }", format: "json" });
    await expect(executeTemplate(ctx(config, scope))).rejects.toMatchObject({
      code: "output_invalid",
      message: expect.stringMatching(/^The template did not produce valid JSON: /),
    });
  });

  it("passes template errors through", async () => {
    await expect(executeTemplate(ctx(TemplateConfigSchema.parse({ template: "{{ start.nope }}" }), scope))).rejects.toMatchObject({
      code: "template_error",
    });
  });
});

describe("end executor", () => {
  it("maps outputs, keeping the type of bare references", async () => {
    const scope = { llm_1: { text: "hi", json: { a: [1, 2] } }, start: { n: 4 } };
    const config = EndConfigSchema.parse({
      outputs: [
        { name: "answer", value: "{{ llm_1.text }}" },
        { name: "data", value: "{{ llm_1.json }}" },
        { name: "count", value: "{{ start.n }}" },
        { name: "summary", value: "{{ llm_1.text }} ({{ start.n }})" },
      ],
    });
    expect((await executeEnd(ctx(config, scope))).output).toEqual({ answer: "hi", data: { a: [1, 2] }, count: 4, summary: "hi (4)" });
  });
});

describe("condition rules", () => {
  it("compares numbers numerically, including numerals on either side", () => {
    expect(evaluateRule("greater_than", 10, "9")).toBe(true);
    expect(evaluateRule("greater_than", "10", "9")).toBe(true); // text "10" > "9" would be false
    expect(evaluateRule("less_than", 2, " 10 ")).toBe(true);
    expect(evaluateRule("greater_or_equal", 3, "3")).toBe(true);
    expect(evaluateRule("less_or_equal", 3.5, "3")).toBe(false);
    expect(evaluateRule("greater_than", "abc", "1")).toBe(false);
    expect(evaluateRule("greater_than", 5, "")).toBe(false);
    expect(evaluateRule("equals", 5, "5.0")).toBe(true);
    expect(evaluateRule("equals", 5, "five")).toBe(false);
  });

  it("compares text exactly and booleans by name", () => {
    expect(evaluateRule("equals", "yes", "yes")).toBe(true);
    expect(evaluateRule("equals", "yes", "Yes")).toBe(false);
    expect(evaluateRule("not_equals", "yes", "no")).toBe(true);
    expect(evaluateRule("equals", true, "true")).toBe(true);
    expect(evaluateRule("equals", false, "true")).toBe(false);
    expect(evaluateRule("equals", null, "")).toBe(true);
    expect(evaluateRule("starts_with", "hello world", "hello")).toBe(true);
    expect(evaluateRule("ends_with", "hello world", "world")).toBe(true);
    expect(evaluateRule("starts_with", ["hello"], "hello")).toBe(false);
  });

  it("supports contains on strings, arrays and object keys", () => {
    expect(evaluateRule("contains", "a refund please", "refund")).toBe(true);
    expect(evaluateRule("contains", ["a", "b"], "b")).toBe(true);
    expect(evaluateRule("contains", [1, 2], "2")).toBe(true);
    expect(evaluateRule("contains", ["ab"], "a")).toBe(false);
    expect(evaluateRule("contains", { refund: 1 }, "refund")).toBe(true);
    expect(evaluateRule("not_contains", ["a"], "b")).toBe(true);
    expect(evaluateRule("contains", undefined, "x")).toBe(false);
  });

  it("treats undefined, null, empty text, [] and {} as empty", () => {
    for (const value of [undefined, null, "", [], {}]) expect(evaluateRule("is_empty", value, "")).toBe(true);
    for (const value of [0, false, " ", [0], { a: 1 }]) expect(evaluateRule("is_not_empty", value, "")).toBe(true);
  });
});

describe("condition executor", () => {
  const config = ConditionConfigSchema.parse({
    cases: [
      {
        id: "case_1",
        logic: "and",
        rules: [
          { left: "start.age", operator: "greater_or_equal", right: "{{ start.limit }}" },
          { left: "start.country", operator: "equals", right: "FR" },
        ],
      },
      { id: "case_2", logic: "or", rules: [{ left: "start.tags", operator: "contains", right: "vip" }, { left: "start.nope", operator: "is_not_empty" }] },
    ],
  });

  it("takes the first case that holds and records the evaluation", async () => {
    const scope = { start: { age: 20, limit: 18, country: "FR", tags: ["vip"] } };
    const result = await executeCondition(ctx(config, scope));
    expect(result.branch).toBe("case_1");
    expect(result.output).toEqual({ branch: "case_1" });
    expect(result.detail).toEqual({
      branch: "case_1",
      cases: [
        {
          id: "case_1",
          logic: "and",
          matched: true,
          rules: [
            { left: "start.age", leftValue: 20, operator: "greater_or_equal", right: "18", result: true },
            { left: "start.country", leftValue: "FR", operator: "equals", right: "FR", result: true },
          ],
        },
      ],
    });
  });

  it("falls through to an elif with or-logic", async () => {
    const result = await executeCondition(ctx(config, { start: { age: 20, limit: 18, country: "DE", tags: ["vip"] } }));
    expect(result.branch).toBe("case_2");
    const cases = (result.detail as { cases: { matched: boolean; rules: { leftValue: unknown; right: unknown }[] }[] }).cases;
    expect(cases.map((c) => c.matched)).toEqual([false, true]);
    expect(cases[1].rules[1]).toMatchObject({ leftValue: null, right: null });
  });

  it("takes else when no case holds", async () => {
    const result = await executeCondition(ctx(config, { start: { age: 2, limit: 18, country: "FR", tags: [] } }));
    expect(result).toMatchObject({ branch: "else", output: { branch: "else" } });
  });
});
