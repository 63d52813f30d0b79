import { describe, expect, it } from "vitest";
import { carriedVariables, conversationOf } from "@/lib/engine/conversation";
import type { Graph } from "@/lib/engine/graph";
import { validateRunInputs } from "@/lib/engine/inputs";
import { initialVariables } from "@/lib/engine/variables";
import { executeAnswer } from "@/lib/nodes/answer/execute";
import { memoryMessages, splitHistory } from "@/lib/nodes/memory";
import { nodeRegistry } from "@/lib/nodes/registry";
import { startNode } from "@/lib/nodes/start/definition";
import { nodeContext } from "./context";

const history = [
  { role: "user", content: "first question" },
  { role: "assistant", content: "first answer" },
  { role: "user", content: "second question" },
  { role: "assistant", content: "second answer" },
];

describe("memory of the LLM and Agent nodes", () => {
  it("sends nothing when off or absent", () => {
    expect(memoryMessages(undefined, { history })).toEqual([]);
    expect(memoryMessages({ mode: "off", turns: 5, tokens: 100 }, { history })).toEqual([]);
  });

  it("keeps the last N turns, oldest dropped", () => {
    expect(memoryMessages({ mode: "turns", turns: 1, tokens: 100 }, { history }).map((m) => m.content)).toEqual(["second question", "second answer"]);
    expect(memoryMessages({ mode: "turns", turns: 5, tokens: 100 }, { history })).toHaveLength(4);
  });

  it("keeps the newest messages within the token budget and never starts with an orphan answer", () => {
    // "second answer" (13 chars, 4 tokens) + "second question" (15, 4) = 8; "first answer" (12, 3) fits in 11
    // but loses its question, so it is dropped too.
    expect(memoryMessages({ mode: "tokens", turns: 1, tokens: 11 }, { history }).map((m) => m.content)).toEqual(["second question", "second answer"]);
  });

  it("splits the history into what is kept and what fell out (what a summary covers)", () => {
    const { kept, dropped } = splitHistory({ mode: "turns", turns: 1, tokens: 100 }, { history });
    expect(kept.map((m) => m.content)).toEqual(["second question", "second answer"]);
    expect(dropped.map((m) => m.content)).toEqual(["first question", "first answer"]);
    expect(splitHistory({ mode: "off", turns: 1, tokens: 100 }, { history })).toEqual({ kept: [], dropped: [] });
  });

  it("ignores malformed history entries", () => {
    const messy = [{ role: "system", content: "x" }, "nope", { role: "user", content: "ok" }];
    expect(memoryMessages({ mode: "turns", turns: 3, tokens: 100 }, { history: messy })).toEqual([{ role: "user", content: "ok" }]);
  });
});

const chatGraph = (variables: string[]): Graph =>
  ({
    version: 1,
    variables: [
      { name: "count", type: "number", default: 0 },
      { name: "note", type: "string", default: "" },
    ],
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [], conversation: { enabled: true, variables } } },
      { id: "end", type: "end", position: { x: 200, y: 0 }, data: { outputs: [{ name: "m", value: "{{ start.message }}" }] } },
    ],
    edges: [{ id: "e", source: "start", target: "end" }],
  }) as Graph;

describe("conversational Start", () => {
  it("adds message (required), history and conversation to the run inputs", () => {
    const graph = chatGraph([]);
    expect(conversationOf(graph, nodeRegistry)).toEqual({ enabled: true, variables: [] });
    expect(validateRunInputs(graph, nodeRegistry, { message: "hi" })).toEqual({ ok: true, inputs: { message: "hi", history: null, conversation: null } });
    expect(validateRunInputs(graph, nodeRegistry, {})).toMatchObject({ ok: false, problems: [{ field: "message" }] });
    expect(startNode.outputFields({ inputs: [], conversation: { enabled: true, variables: [] } }).map((f) => f.name)).toEqual(["message", "history", "conversation"]);
    expect(startNode.check!({ inputs: [{ name: "message", label: "", type: "string", required: true, description: "" }], conversation: { enabled: true, variables: [] } })).toHaveLength(1);
  });

  it("starts conversation variables from the conversation's values, only listed ones of the declared type", () => {
    const graph = chatGraph(["count"]);
    const carried = carriedVariables(conversationOf(graph, nodeRegistry), graph.variables!, { conversation: { count: 4, note: "not listed" } });
    expect(initialVariables(graph, carried)).toEqual({ count: 4, note: "" });
    expect(carriedVariables(conversationOf(graph, nodeRegistry), graph.variables!, { conversation: { count: "4" } })).toEqual({});
    const plain = { ...graph, nodes: graph.nodes.map((n) => (n.id === "start" ? { ...n, data: { inputs: [] } } : n)) };
    expect(conversationOf(plain, nodeRegistry)).toBeNull();
  });
});

describe("Answer node", () => {
  it("renders its text and streams it as the step's text", async () => {
    const deltas: string[] = [];
    const ctx = { ...nodeContext({ text: "Hello {{ start.name }}" }, { start: { name: "Ada" } }), emitDelta: (t: string) => void deltas.push(t) };
    await expect(executeAnswer(ctx)).resolves.toMatchObject({ output: { text: "Hello Ada" } });
    expect(deltas).toEqual(["Hello Ada"]);
  });
});
