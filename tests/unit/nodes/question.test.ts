import { describe, expect, it } from "vitest";
import type { NodeWait } from "@/lib/engine/node-kit";
import { QuestionConfigSchema, questionAnswerSchema, questionNode } from "@/lib/nodes/question/definition";
import { executeQuestion } from "@/lib/nodes/question/execute";
import { nodeContext } from "./context";

const config = QuestionConfigSchema.parse({
  title: "Order {{ start.order }}",
  prompt: "How should we ship order {{ start.order }}?",
  fields: [
    { name: "carrier", label: "Carrier", type: "select", options: ["DHL", "UPS"], default: "DHL" },
    { name: "parcels", type: "number" },
    { name: "express", type: "boolean", required: false, default: false },
    { name: "note", type: "string", required: false },
  ],
  timeout: { amount: 2, unit: "days" },
});

describe("question definition", () => {
  it("publishes the fields with their types plus answeredBy, answeredAt and timedOut", () => {
    expect(questionNode.outputFields(config).map((f) => [f.name, f.type])).toEqual([
      ["carrier", "string"],
      ["parcels", "number"],
      ["express", "boolean"],
      ["note", "string"],
      ["answeredBy", "string"],
      ["answeredAt", "string"],
      ["timedOut", "boolean"],
    ]);
  });

  it("reports duplicate and reserved names, choices without options and defaults of the wrong type", () => {
    const bad = QuestionConfigSchema.parse({
      prompt: "",
      fields: [
        { name: "a", type: "number", default: "x" },
        { name: "a", type: "string" },
        { name: "answeredBy", type: "string" },
        { name: "pick", type: "select", options: [] },
        { name: "pick2", type: "select", options: ["x"], default: "y" },
      ],
    });
    expect(questionNode.check!(bad)).toEqual([
      "Write the question to ask.",
      'Field "a": the default must be a number.',
      'Field "a" is declared twice.',
      '"answeredBy" is reserved; rename the field.',
      'Field "pick": a choice needs at least one option.',
      'Field "pick2": the default is not one of the options.',
    ]);
    expect(questionNode.check!(config)).toEqual([]);
  });

  it("builds an answer schema from the fields: typed, required present, choices from the options, nothing extra", () => {
    const schema = questionAnswerSchema(config.fields);
    expect(schema.parse({ carrier: "UPS", parcels: 3 })).toEqual({ carrier: "UPS", parcels: 3 });
    expect(schema.parse({ carrier: "UPS", parcels: 3, express: true, note: "fragile" })).toMatchObject({ express: true, note: "fragile" });
    const issues = (value: unknown) => schema.safeParse(value).error?.issues.map((i) => i.path.join(".")).sort();
    expect(issues({ carrier: "FedEx", parcels: "3" })).toEqual(["carrier", "parcels"]);
    expect(issues({ parcels: 1 })).toEqual(["carrier"]);
    expect(issues({ carrier: "DHL", parcels: 1, extra: true })).toEqual([""]);
    expect(issues({ carrier: "DHL", parcels: 1, express: "yes" })).toEqual(["express"]);
    // A required text must say something.
    expect(questionAnswerSchema([{ name: "why", label: "", type: "string", required: true, options: [], default: null, description: "" }]).safeParse({ why: "  " }).success).toBe(false);
  });
});

describe("question executor", () => {
  it("waits with the rendered prompt, the fields and a timeout", async () => {
    const result = (await executeQuestion(nodeContext(config, { start: { order: "A-17" } }))) as NodeWait;
    expect(result.wait.kind).toBe("question");
    expect(result.wait.request).toEqual({ title: "Order A-17", prompt: "How should we ship order A-17?", fields: config.fields, hasTimeout: true });
    expect(Date.parse(result.wait.timeoutAt!)).toBeGreaterThan(Date.now() + 2 * 86_400_000 - 5_000);
  });

  it("outputs the answer with every field present (defaults or null for the ones left out)", async () => {
    const result = await executeQuestion({
      ...nodeContext(config, {}),
      resume: { status: "answered", response: { answer: { carrier: "UPS", parcels: 2 }, by: { kind: "api_key", id: "k1", name: "API key ops" } }, at: "2026-11-29T10:00:00.000Z" },
    });
    expect(result).toEqual({
      output: { carrier: "UPS", parcels: 2, express: false, note: null, answeredBy: "API key ops", answeredAt: "2026-11-29T10:00:00.000Z", timedOut: false },
      detail: { resolution: "answered", by: { kind: "api_key", id: "k1", name: "API key ops" } },
    });
  });

  it("on timeout outputs the defaults", async () => {
    const result = await executeQuestion({ ...nodeContext(config, {}), resume: { status: "timed_out", response: null, at: "2026-12-01T10:00:00.000Z" } });
    expect(result).toMatchObject({ output: { carrier: "DHL", parcels: null, express: false, note: null, answeredBy: null, timedOut: true } });
  });

  it("refuses a recorded answer that no longer fits the fields", async () => {
    const run = executeQuestion({ ...nodeContext(config, {}), resume: { status: "answered", response: { answer: { carrier: "Post" }, by: { kind: "user", id: "u", name: "U" } }, at: "x" } });
    await expect(run).rejects.toMatchObject({ code: "internal" });
  });
});
