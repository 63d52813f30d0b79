import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import type { NodeResult } from "@/lib/engine/node-kit";
import { ExtractorConfigSchema, extractorNode } from "@/lib/nodes/extractor/definition";
import { coerceValue, EXTRACT_TOOL, executeExtractor, fieldsSchema } from "@/lib/nodes/extractor/execute";
import { scriptedChat } from "./ai-fakes";
import { nodeContext } from "./context";

const config = ExtractorConfigSchema.parse({
  providerId: "prov_1",
  model: "test-model",
  input: "{{ start.message }}",
  fields: [
    { name: "order_id", type: "string", description: "The order number", required: true },
    { name: "amount", type: "number", required: true },
    { name: "urgent", type: "boolean" },
    { name: "items", type: "array" },
  ],
});
const scope = { start: { message: "Order A-17 for 12.50 EUR: two mugs, please hurry" } };
const run = (chat: ReturnType<typeof scriptedChat>["chat"], c = config) => executeExtractor(nodeContext(c, scope, { chat })) as Promise<NodeResult>;
const call = (args: Record<string, unknown>, id = "call_1") => ({ toolCalls: [{ id, name: EXTRACT_TOOL, args }] });

describe("extractor definition", () => {
  it("publishes every field with its type, plus missing", () => {
    expect(extractorNode.outputFields(config)).toEqual([
      { name: "order_id", type: "string", description: "The order number" },
      { name: "amount", type: "number", description: undefined },
      { name: "urgent", type: "boolean", description: undefined },
      { name: "items", type: "array", description: undefined },
      { name: "missing", type: "array", description: "Required fields the model could not fill" },
    ]);
  });

  it("refuses repeated and reserved field names and an empty field list", () => {
    const bad = ExtractorConfigSchema.parse({ providerId: "p", model: "m", input: "x", fields: [{ name: "a" }, { name: "a" }, { name: "missing" }] });
    expect(extractorNode.check!(bad)).toEqual(['Field "a" is declared twice.', '"missing" is an output of the node itself; choose another field name.']);
    expect(extractorNode.check!({ ...config, fields: [] })).toEqual(["Add at least one field to extract."]);
    expect(ExtractorConfigSchema.safeParse({ fields: [{ name: "1bad" }] }).success).toBe(false);
  });

  it("gives the model every field as an optional, typed property", () => {
    expect(fieldsSchema(config.fields)).toEqual({
      type: "object",
      properties: {
        order_id: { type: "string", description: "(required) The order number" },
        amount: { type: "number", description: "(required)" },
        urgent: { type: "boolean" },
        items: { type: "array" },
      },
    });
  });
});

describe("coercion", () => {
  it.each([
    ["12.5", "number", 12.5],
    ["1,200", "number", 1200],
    ["yes", "boolean", true],
    ["false", "boolean", false],
    ['["a"]', "array", ["a"]],
    ["n/a", "number", null],
    [42, "string", "42"],
    ["  ", "string", null],
    [undefined, "string", null],
    ["twelve", "number", "twelve"],
  ] as const)("%j as %s → %j", (value, type, expected) => {
    expect(coerceValue(value, type)).toEqual(expected);
  });
});

describe("extractor executor", () => {
  it("forces the extract tool and publishes the typed values", async () => {
    const { chat, requests } = scriptedChat(call({ order_id: "A-17", amount: "12.50", urgent: true, items: ["mug", "mug"] }));
    const result = await run(chat);
    expect(result.output).toEqual({ order_id: "A-17", amount: 12.5, urgent: true, items: ["mug", "mug"], missing: [] });
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ toolChoice: "required", tools: [{ name: EXTRACT_TOOL, parameters: fieldsSchema(config.fields) }] });
    expect(requests[0].json).toBeUndefined();
    expect(result.detail).toMatchObject({ mode: "tool", modelCalls: 1 });
  });

  it("lists required fields the model left out and sets absent fields to null", async () => {
    const { chat } = scriptedChat(call({ order_id: "A-17" }));
    const result = await run(chat);
    expect(result.output).toEqual({ order_id: "A-17", amount: null, urgent: null, items: null, missing: ["amount"] });
  });

  it("fails on missing required fields when configured to", async () => {
    const { chat } = scriptedChat(call({ urgent: false }));
    const error = await run(chat, { ...config, onMissing: "fail" }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "output_invalid", message: "The model could not find the required fields order_id, amount in the text." });
    expect((error as NodeError).trace.detail).toMatchObject({ mode: "tool" });
  });

  it("falls back to JSON mode when the model answers without calling the tool", async () => {
    const { chat, requests } = scriptedChat({ text: "Sure! The order is A-17." }, { text: '{"order_id": "A-17", "amount": 12.5}' });
    const result = await run(chat);
    expect(result.output).toMatchObject({ order_id: "A-17", amount: 12.5, missing: [] });
    expect(requests[1]).toMatchObject({ json: true });
    expect(requests[1].tools).toBeUndefined();
    expect(requests[1].messages[0].content).toContain("Reply with a single JSON object only");
    expect(result.detail).toMatchObject({ mode: "json", modelCalls: 2 });
    expect(result.usage).toEqual({ promptTokens: 20, completionTokens: 10, totalTokens: 30 });
  });

  it("takes a JSON answer given as text instead of a tool call without asking again", async () => {
    const { chat, requests } = scriptedChat({ text: '```json\n{"order_id": "A-17", "amount": 3}\n```' });
    const result = await run(chat);
    expect(result.output).toMatchObject({ order_id: "A-17", amount: 3 });
    expect(requests).toHaveLength(1);
  });

  it("falls back to JSON mode when the provider refuses tools", async () => {
    const { chat, requests } = scriptedChat(new NodeError("provider_bad_request", "tools are not supported"), { text: '{"order_id": "A-17", "amount": 1}' });
    const result = await run(chat);
    expect(result.output).toMatchObject({ order_id: "A-17", amount: 1 });
    expect(requests[1].json).toBe(true);
  });

  it("sends a wrong type back once as the tool's answer, then takes the corrected values", async () => {
    const { chat, requests } = scriptedChat(call({ order_id: "A-17", amount: "twelve" }, "call_9"), call({ order_id: "A-17", amount: 12 }, "call_10"));
    const result = await run(chat);
    expect(result.output).toMatchObject({ amount: 12 });
    const fix = requests[1].messages.at(-1)!;
    expect(fix).toMatchObject({ role: "tool", toolCallId: "call_9" });
    expect((fix as { content: string }).content).toMatch(/amount.*number/);
  });

  it("fails with output_invalid when the second answer is wrong too", async () => {
    const { chat } = scriptedChat(call({ amount: "twelve" }), call({ amount: "still twelve" }));
    const error = await run(chat).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "output_invalid", message: expect.stringMatching(/^The model's values do not fit the fields, even when asked again: .*amount/) });
    expect((error as NodeError).trace.usage).toEqual({ promptTokens: 20, completionTokens: 10, totalTokens: 30 });
  });
});
