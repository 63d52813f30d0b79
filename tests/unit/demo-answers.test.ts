import { describe, expect, it } from "vitest";
import { demoReply, objectFor, pickClass } from "../../scripts/lib/demo-answers";

/** The demo model's answers to structured-output requests (scripts/lib/demo-answers.ts). */
describe("demo model answers", () => {
  it("answers a JSON-mode request carrying a JSON Schema with an object of that shape", () => {
    const schema = { type: "object", properties: { city: { type: "string" }, nights: { type: "number" }, breakfast: { type: "boolean" }, tags: { type: "array" } } };
    const reply = demoReply({
      response_format: { type: "json_object" },
      messages: [
        { role: "system", content: `Extract.\n\nReply with a single JSON object only, matching this JSON Schema:\n${JSON.stringify(schema)}` },
        { role: "user", content: "City: Lyon. Nights: 3, breakfast is yes" },
      ],
    });
    expect(reply && "text" in reply ? JSON.parse(reply.text!) : null).toEqual({ city: "Lyon", nights: 3, breakfast: true, tags: [] });
  });

  it("names one of the offered classes, the one sharing most words with the text", () => {
    const system = 'Classes:\n- class_a: Billing — invoices and refunds\n- class_b: Bug — crashes\n\nReply with a single JSON object only: {"class": <one of "class_a", "class_b">, "reason": "<one short sentence>"}';
    const reply = demoReply({ response_format: { type: "json_object" }, messages: [{ role: "system", content: system }, { role: "user", content: "It crashes on start" }] });
    expect(reply && "text" in reply ? JSON.parse(reply.text!).class : null).toBe("class_b");
    expect(pickClass([{ id: "x", about: "" }, { id: "y", about: "" }], "anything").id).toBe("x");
  });

  it("calls a forced tool with arguments of its schema; leaves free tool use and plain chat to the echo", () => {
    const tools = [{ type: "function", function: { name: "extract_parameters", parameters: { type: "object", properties: { order_id: { type: "string", description: "(required)" } } } } }];
    const forced = demoReply({ tools, tool_choice: "required", messages: [{ role: "user", content: "Order id: A-17" }] });
    expect(forced).toEqual({ toolCalls: [{ name: "extract_parameters", arguments: { order_id: "A-17" } }] });
    expect(demoReply({ tools, messages: [{ role: "user", content: "hi" }] })).toBeUndefined();
    expect(demoReply({ messages: [{ role: "user", content: "hi" }] })).toBeUndefined();
    expect(objectFor({ properties: { note: { type: "string", description: "(required) what" } } }, "no labels here")).toEqual({ note: "no labels here" });
  });
});
