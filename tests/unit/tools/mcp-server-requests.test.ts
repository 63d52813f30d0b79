import { describe, expect, it } from "vitest";
import { CallScope } from "@/lib/tools/mcp/call-scope";
import type { ServerRequestAnswers } from "@/lib/tools/mcp/client-features";
import { DECLINE_FIELD, questionFields } from "@/lib/tools/mcp/elicitation";

const answers = (): ServerRequestAnswers => ({ sample: async () => ({ model: "m", role: "assistant", content: { type: "text", text: "" } }), elicit: async () => ({ action: "cancel" }) });

describe("an elicitation's requested schema as Question fields", () => {
  it("maps strings, choices, numbers and booleans with their required flags and defaults, and adds Decline", () => {
    const fields = questionFields({
      properties: {
        address: { type: "string", title: "Address", description: "Street and city" },
        speed: { type: "string", enum: ["standard", "express"], default: "express" },
        count: { type: "integer", default: 2 },
        gift: { type: "boolean" },
      },
      required: ["address", "count"],
    });
    expect(fields).toEqual([
      expect.objectContaining({ name: "address", type: "string", label: "Address", description: "Street and city", required: true }),
      expect.objectContaining({ name: "speed", type: "select", options: ["standard", "express"], default: "express", required: false }),
      expect.objectContaining({ name: "count", type: "number", default: 2, required: true }),
      expect.objectContaining({ name: "gift", type: "boolean", required: false }),
      expect.objectContaining({ name: DECLINE_FIELD, type: "boolean", required: false }),
    ]);
  });

  it("says which field cannot be asked", () => {
    expect(questionFields({ properties: { tags: { type: "array" } } })).toBe('the field "tags" has the type "array", which a Question cannot ask');
    expect(questionFields({ properties: { "bad-name": { type: "string" } } })).toBe('the field name "bad-name" cannot be asked');
  });
});

describe("CallScope", () => {
  it("on an exclusive connection, calls take turns and the one in flight answers", async () => {
    const scope = new CallScope(true);
    const first = answers();
    const second = answers();
    const seen: (ServerRequestAnswers | undefined)[] = [];
    let releaseFirst!: () => void;
    const one = scope.run(first, new AbortController().signal, async () => {
      seen.push(scope.current());
      await new Promise<void>((resolve) => (releaseFirst = resolve));
      seen.push(scope.current());
    });
    const two = scope.run(second, new AbortController().signal, async () => void seen.push(scope.current()));
    await new Promise((r) => setTimeout(r, 10));
    expect(seen).toEqual([first]);
    releaseFirst();
    await Promise.all([one, two]);
    expect(seen).toEqual([first, first, second]);
    expect(scope.current()).toBeUndefined();
  });

  it("a call aborted while it waits for its turn gives up without disturbing the one in flight", async () => {
    const scope = new CallScope(true);
    const first = answers();
    let releaseFirst!: () => void;
    const one = scope.run(first, new AbortController().signal, () => new Promise<void>((resolve) => (releaseFirst = resolve)));
    const controller = new AbortController();
    const two = scope.run(answers(), controller.signal, async () => "ran");
    controller.abort();
    await expect(two).rejects.toMatchObject({ code: "cancelled" });
    expect(scope.current()).toBe(first);
    releaseFirst();
    await one;
  });

  it("a shared connection answers nothing and does not serialise", async () => {
    const scope = new CallScope(false);
    await scope.run(answers(), new AbortController().signal, async () => expect(scope.current()).toBeUndefined());
  });
});
