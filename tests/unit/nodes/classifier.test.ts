import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import type { NodeResult } from "@/lib/engine/node-kit";
import { executeRun } from "@/lib/engine/run-engine";
import { validateGraph } from "@/lib/engine/validate";
import { ClassifierConfigSchema, classifierNode } from "@/lib/nodes/classifier/definition";
import { executeClassifier, readClassAnswer } from "@/lib/nodes/classifier/execute";
import { executorRegistry } from "@/lib/nodes/executors";
import { nodeRegistry } from "@/lib/nodes/registry";
import { MemoryEvents, MemoryStepStore, edge, end, graph, node, start, template } from "../engine/fixtures";
import { scriptedChat } from "./ai-fakes";
import { nodeContext } from "./context";

const config = ClassifierConfigSchema.parse({
  providerId: "prov_1",
  model: "test-model",
  input: "{{ start.message }}",
  instructions: "Invoices are billing.",
  classes: [
    { id: "class_1", name: "Billing", description: "Payments, invoices, refunds" },
    { id: "class_2", name: "Bug report", description: "Something is broken" },
  ],
});
const scope = { start: { message: "I was charged twice" } };

describe("classifier definition", () => {
  it("has a handle per class plus OTHER when the fallback is on", () => {
    expect(classifierNode.outputHandles(config)).toEqual([
      { id: "class_1", label: "Billing" },
      { id: "class_2", label: "Bug report" },
      { id: "other", label: "OTHER" },
    ]);
    expect(classifierNode.outputHandles({ ...config, fallback: false }).map((h) => h.id)).toEqual(["class_1", "class_2"]);
    expect(classifierNode.outputFields(config).map((f) => f.name)).toEqual(["class", "label", "reason"]);
  });

  it("asks for at least one class, names, unique names and a model", () => {
    expect(classifierNode.check!({ ...config, classes: [] })).toContain("Add at least one class.");
    const problems = classifierNode.check!(
      ClassifierConfigSchema.parse({
        input: "x",
        classes: [
          { id: "class_1", name: "Sales" },
          { id: "class_2", name: " sales " },
          { id: "class_3", name: "" },
          { id: "class_4", name: "Other" },
        ],
      }),
    );
    expect(problems).toEqual([
      "Choose a model provider.",
      "Choose a model.",
      'Classes 1 and 2 have the same name "sales".',
      "Class 3 has no name.",
      'Class 4 is called "other", which is the fallback class; rename it or turn the fallback off.',
    ]);
  });

  it("a graph with a classifier whose branches lead to different nodes validates", () => {
    const g = graph(
      [start("start", [{ name: "message", type: "string" }]), node("cls", "classifier", config), template("a", "billing"), template("b", "bug"), end("end", { team: "{{ cls.label }}" })],
      [edge("start", "cls"), edge("cls", "a", "class_1"), edge("cls", "b", "class_2"), edge("a", "end"), edge("b", "end")],
    );
    expect(validateGraph(g, nodeRegistry).filter((p) => p.severity === "error")).toEqual([]);
  });
});

describe("reading the model's answer", () => {
  it.each([
    ['{"class": "class_2", "reason": "crash"}', "class_2", "crash"],
    ['```json\n{"class": "CLASS_1"}\n```', "class_1", ""],
    ['{"category": "billing", "reason": "money"}', "class_1", "money"],
    ['"Bug report"', "class_2", ""],
    ["Billing.", "class_1", ""],
    ['{"class": "none"}', "other", ""],
  ])("%s → %s", (text, id, reason) => {
    expect(readClassAnswer(text, config)).toEqual({ choice: expect.objectContaining({ id }), reason });
  });

  it("explains why an answer names no class", () => {
    expect(readClassAnswer('{"class": "shipping"}', config)).toEqual({ problem: '"shipping" is not one of the classes' });
    expect(readClassAnswer('{"answer": 3}', config)).toEqual({ problem: 'the answer "{"answer": 3}" names no class' });
    expect(readClassAnswer('{"class": "other"}', { ...config, fallback: false })).toEqual({ problem: '"other" is not one of the classes' });
  });
});

describe("classifier executor", () => {
  it("sends the classes in JSON mode and takes the chosen class's branch", async () => {
    const { chat, requests } = scriptedChat({ text: '{"class": "class_1", "reason": "A double charge is a billing matter."}' });
    const result = (await executeClassifier(nodeContext(config, scope, { chat }))) as NodeResult;
    expect(result.branch).toBe("class_1");
    expect(result.output).toEqual({ class: "class_1", label: "Billing", reason: "A double charge is a billing matter." });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ json: true, temperature: 0, idempotencyKey: "run_1:node_1:0" });
    const system = requests[0].messages[0].content;
    expect(system).toContain("- class_1: Billing — Payments, invoices, refunds");
    expect(system).toContain("- other: none of the classes above fits");
    expect(system).toContain("Invoices are billing.");
    expect(requests[0].messages[1]).toEqual({ role: "user", content: "I was charged twice" });
    expect(result.detail).toMatchObject({ model: "test-model", modelCalls: 1, messages: [{ role: "system" }, { role: "user" }, { role: "assistant" }] });
    expect(result.usage).toEqual({ promptTokens: 10, completionTokens: 5, totalTokens: 15 });
  });

  it("corrects a nonsense answer once, then succeeds, adding up the usage", async () => {
    const { chat, requests } = scriptedChat({ text: "I think it's about money" }, { text: '{"class": "class_1", "reason": "money"}' });
    const result = (await executeClassifier(nodeContext(config, scope, { chat }))) as NodeResult;
    expect(result.branch).toBe("class_1");
    expect(requests).toHaveLength(2);
    expect(requests[1].idempotencyKey).toBe("run_1:node_1:0:model-1");
    expect(requests[1].messages.at(-1)).toMatchObject({ role: "user", content: expect.stringContaining("That answer cannot be used") });
    expect(requests[1].messages.at(-2)).toEqual({ role: "assistant", content: "I think it's about money" });
    expect(result.usage).toEqual({ promptTokens: 20, completionTokens: 10, totalTokens: 30 });
    expect(result.detail).toMatchObject({ modelCalls: 2 });
  });

  it("adds up the cost of both calls in detail.cost and records the provider that answered", async () => {
    const { chat } = scriptedChat({ text: "?", cost: { USD: 0.001 }, providerId: "prov_fallback" }, { text: '{"class": "class_2"}', cost: { USD: 0.002 }, providerId: "prov_fallback" });
    const result = (await executeClassifier(nodeContext(config, scope, { chat }))) as NodeResult;
    expect(result.detail?.cost).toEqual({ USD: expect.closeTo(0.003, 10) });
    expect(result.detail?.providerId).toBe("prov_fallback");
  });

  it("fails with output_invalid after the corrective retry, keeping the conversation and tokens", async () => {
    const { chat } = scriptedChat({ text: '{"class": "shipping"}' }, { text: '{"class": "logistics"}' });
    const error = await executeClassifier(nodeContext(config, scope, { chat })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect(error).toMatchObject({
      code: "output_invalid",
      message: 'The model did not choose one of the classes, even when asked again: "logistics" is not one of the classes.',
    });
    const trace = (error as NodeError).trace;
    expect(trace.usage).toEqual({ promptTokens: 20, completionTokens: 10, totalTokens: 30 });
    expect((trace.detail?.messages as unknown[]).length).toBe(5);
  });

  it("keeps the prompt on the step when the provider fails", async () => {
    const { chat } = scriptedChat(new NodeError("provider_rate_limit", "Slow down"));
    const error = (await executeClassifier(nodeContext(config, scope, { chat })).catch((e: unknown) => e)) as NodeError;
    expect(error).toMatchObject({ code: "provider_rate_limit", retryable: true });
    expect(error.trace.input).toEqual({ text: "I was charged twice" });
  });

  it("routes a run down the chosen class and skips the other branches", async () => {
    const g = graph(
      [
        start("start", [{ name: "message", type: "string" }]),
        node("cls", "classifier", config),
        template("a", "billing team"),
        template("b", "bug team"),
        template("c", "triage"),
        node("pick", "aggregate", { variables: ["a.text", "b.text", "c.text"] }),
        end("end", { team: "{{ pick.value }}", why: "{{ cls.reason }}" }),
      ],
      [edge("start", "cls"), edge("cls", "a", "class_1"), edge("cls", "b", "class_2"), edge("cls", "c", "other"), edge("a", "pick"), edge("b", "pick"), edge("c", "pick"), edge("pick", "end")],
    );
    const { chat } = scriptedChat({ text: '{"class": "class_2", "reason": "It crashes"}' });
    const store = new MemoryStepStore();
    const outcome = await executeRun({
      runId: "run_1",
      graph: g,
      inputs: { message: "The app crashes" },
      registry: nodeRegistry,
      executors: executorRegistry,
      store,
      events: new MemoryEvents(),
      services: { chat },
      signal: new AbortController().signal,
    });
    expect(outcome).toMatchObject({ status: "succeeded", output: { team: "bug team", why: "It crashes" } });
    expect(["a", "c"].map((id) => store.status(id))).toEqual(["skipped", "skipped"]);
  });
});
