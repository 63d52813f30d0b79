import { describe, expect, it } from "vitest";
import { parseModel } from "@/lib/api/openai/schemas";
import { answerStreamSources, chatInputs } from "@/lib/channels/chat-io";
import { endOutputText } from "@/lib/chat/turn-answer";
import type { Graph } from "@/lib/engine/graph";
import { slugFromName } from "@/lib/workflows/schemas";

function graph(inputs: { name: string; type: string }[], ends: { name: string; value: string }[][]): Graph {
  return {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: inputs.map((i) => ({ ...i, label: i.name, required: false, description: "" })) } },
      ...ends.map((outputs, n) => ({ id: `end${n}`, type: "end", position: { x: 0, y: 0 }, data: { outputs } })),
    ],
    edges: [],
  };
}

const turns = [
  { role: "system", content: "be brief" },
  { role: "user", content: "hi" },
  { role: "assistant", content: "hello" },
  { role: "user", content: "and now?" },
];

describe("chatInputs", () => {
  it("puts the last user message in `message` when declared, else in the first text input", () => {
    expect(chatInputs(graph([{ name: "topic", type: "string" }, { name: "message", type: "string" }], []), turns)).toEqual({ ok: true, inputs: { message: "and now?" } });
    expect(chatInputs(graph([{ name: "n", type: "number" }, { name: "question", type: "string" }], []), turns)).toEqual({ ok: true, inputs: { question: "and now?" } });
  });

  it("gives the earlier messages to `history`: as an array, or as role: content lines", () => {
    const asArray = chatInputs(graph([{ name: "message", type: "string" }, { name: "history", type: "array" }], []), turns);
    expect(asArray).toEqual({ ok: true, inputs: { message: "and now?", history: turns.slice(0, 3) } });
    const asText = chatInputs(graph([{ name: "history", type: "string" }, { name: "q", type: "string" }], []), turns);
    expect(asText).toEqual({ ok: true, inputs: { q: "and now?", history: "system: be brief\nuser: hi\nassistant: hello" } });
  });

  it("refuses messages without a user turn and workflows without a text input", () => {
    expect(chatInputs(graph([{ name: "message", type: "string" }], []), [{ role: "system", content: "x" }])).toMatchObject({ ok: false, message: /role "user"/ });
    expect(chatInputs(graph([{ name: "n", type: "number" }], []), turns)).toMatchObject({ ok: false, message: /no text input/ });
  });
});

describe("the answer", () => {
  it("is the End output answer, else text, else the only field, else JSON (one rule for the chat, OpenAI and MCP)", () => {
    expect(endOutputText({ text: "t", answer: "a" })).toBe("a");
    expect(endOutputText({ text: "t", other: 1 })).toBe("t");
    expect(endOutputText({ only: "o" })).toBe("o");
    expect(endOutputText({ answer: 5 })).toBe("5");
    expect(endOutputText({ only: { n: 1 } })).toBe('{\n  "n": 1\n}');
    expect(endOutputText({ a: 1, b: 2 })).toBe('{\n  "a": 1,\n  "b": 2\n}');
    expect(endOutputText([1])).toBe("[\n  1\n]");
    expect(endOutputText("plain")).toBe("plain");
    expect(endOutputText(null)).toBe("");
  });

  it("streams live only from nodes whose text is the whole answer field", () => {
    const g = graph([], [[{ name: "answer", value: "{{ llm.text }}" }, { name: "x", value: "{{ other.text }}" }], [{ name: "result", value: "{{ agent.text }}" }], [{ name: "answer", value: "Re: {{ wrapped.text }}" }]]);
    expect([...answerStreamSources(g)].sort()).toEqual(["agent", "llm"]);
  });

  it("streams no End source where Answer nodes may speak (the run's own or a sub-workflow's)", () => {
    for (const type of ["answer", "subworkflow"]) {
      const g = graph([], [[{ name: "answer", value: "{{ llm.text }}" }]]);
      g.nodes.push({ id: "speaker", type, position: { x: 0, y: 0 }, data: {} });
      expect([...answerStreamSources(g)], type).toEqual([]);
    }
  });
});

describe("models and slugs", () => {
  it("parses slug and slug@version; anything else names no workflow", () => {
    expect(parseModel("support-bot")).toEqual({ slug: "support-bot" });
    expect(parseModel("support-bot@12")).toEqual({ slug: "support-bot", version: 12 });
    for (const bad of ["gpt-4o@", "Support", "bot@0", "bot@1.5", "bot@x", "bot@99999999999", "@3"]) expect(parseModel(bad), bad).toBeNull();
  });

  it("slugs come from names: lower case, dashes, at most 56 characters, never empty", () => {
    expect(slugFromName("  Refund Bot (v2)! ")).toBe("refund-bot-v2");
    expect(slugFromName("日本語")).toBe("workflow");
    expect(slugFromName("a".repeat(55) + " b")).toBe("a".repeat(55));
  });
});
