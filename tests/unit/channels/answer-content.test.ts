import { describe, expect, it } from "vitest";
import { answerContent } from "@/lib/api/openai/answer-content";
import { answerFeeds } from "@/lib/channels/chat-io";
import { withFeedPrefixes } from "@/lib/chat/stream";
import { turnAnswer } from "@/lib/chat/turn-answer";
import type { ChatTextEvent } from "@/lib/chat/turn-text";
import type { Graph, GraphEdge, GraphNode } from "@/lib/engine/graph";

/** How an OpenAI stream's content is built from a turn's text events, and which LLMs stream into an Answer. */

const node = (id: string, type: string, data: Record<string, unknown> = {}, extra: Partial<GraphNode> = {}): GraphNode => ({ id, type, position: { x: 0, y: 0 }, data, ...extra });
const edge = (source: string, target: string, sourceHandle?: string): GraphEdge => ({ id: `${source}-${target}`, source, target, sourceHandle });
const graph = (nodes: GraphNode[], edges: GraphEdge[]): Graph => ({ version: 1, nodes, edges });

describe("answerFeeds", () => {
  it("finds an LLM whose text opens an Answer it alone leads to, with the Answer's fixed leading text", () => {
    const g = graph(
      [node("start", "start"), node("llm", "llm"), node("reply", "answer", { text: "Sure: {{ llm.text }}\n\n(checked {{ start.message }})" }), node("plain", "answer", { text: "{{llm.text}}" })],
      [edge("start", "llm"), edge("llm", "reply"), edge("reply", "plain")],
    );
    expect(answerFeeds(g)).toEqual(new Map([["llm", { answer: "reply", prefix: "Sure: " }]]));
  });

  it("streams where every other speaker runs before the LLM or after the Answer", () => {
    const g = graph(
      [node("start", "start"), node("hello", "answer", { text: "Hi." }), node("sub", "subworkflow"), node("llm", "llm"), node("a", "answer", { text: "{{ llm.text }}" }), node("bye", "answer", { text: "Bye." })],
      [edge("start", "hello"), edge("start", "sub"), edge("hello", "llm"), edge("sub", "llm"), edge("llm", "a"), edge("a", "bye")],
    );
    expect(answerFeeds(g)).toEqual(new Map([["llm", { answer: "a", prefix: "" }]]));
  });

  it("streams nothing that the Answer might not say right after the tokens", () => {
    const cases: Record<string, Graph> = {
      "a tag before the text": graph([node("llm", "llm"), node("a", "answer", { text: "{% if x %}y{% endif %}{{ llm.text }}" })], [edge("llm", "a")]),
      "an expression before the text": graph([node("llm", "llm"), node("a", "answer", { text: "Hi {{ start.name }}: {{ llm.text }}" })], [edge("llm", "a")]),
      "a filter on the text": graph([node("llm", "llm"), node("a", "answer", { text: "{{ llm.text | upcase }}" })], [edge("llm", "a")]),
      "whitespace control": graph([node("llm", "llm"), node("a", "answer", { text: "x {{- llm.text }}" })], [edge("llm", "a")]),
      "another predecessor": graph([node("llm", "llm"), node("t", "template"), node("a", "answer", { text: "{{ llm.text }}" })], [edge("llm", "a"), edge("t", "a")]),
      "a branch in between": graph([node("llm", "llm"), node("if", "condition"), node("a", "answer", { text: "{{ llm.text }}" })], [edge("llm", "if"), edge("if", "a", "true")]),
      "the error branch": graph([node("llm", "llm"), node("a", "answer", { text: "{{ llm.text }}" })], [edge("llm", "a", "error")]),
      "an agent (its tokens tell tool progress too)": graph([node("ag", "agent"), node("a", "answer", { text: "{{ ag.text }}" })], [edge("ag", "a")]),
      "inside a loop": graph([node("loop", "loop"), node("llm", "llm", {}, { parentId: "loop" }), node("a", "answer", { text: "{{ llm.text }}" }, { parentId: "loop" })], [edge("llm", "a")]),
      "an LLM that retries": graph([node("llm", "llm", { settings: { retry: { maxAttempts: 3 } } }), node("a", "answer", { text: "{{ llm.text }}" })], [edge("llm", "a")]),
      "an LLM that goes on after failing": graph([node("llm", "llm", { settings: { onError: "continue" } }), node("a", "answer", { text: "{{ llm.text }}" })], [edge("llm", "a")]),
      "a disabled Answer": graph([node("llm", "llm"), node("a", "answer", { text: "{{ llm.text }}" }, { disabled: true })], [edge("llm", "a")]),
      "two Answers fed by one LLM": graph([node("llm", "llm"), node("a", "answer", { text: "{{ llm.text }}" }), node("b", "answer", { text: "B: {{ llm.text }}" })], [edge("llm", "a"), edge("llm", "b")]),
      "an Answer on a parallel branch": graph(
        [node("start", "start"), node("llm", "llm"), node("a", "answer", { text: "{{ llm.text }}" }), node("b", "answer", { text: "Meanwhile." })],
        [edge("start", "llm"), edge("llm", "a"), edge("start", "b")],
      ),
      "a Sub-workflow on a parallel branch": graph(
        [node("start", "start"), node("llm", "llm"), node("a", "answer", { text: "{{ llm.text }}" }), node("sub", "subworkflow")],
        [edge("start", "llm"), edge("llm", "a"), edge("start", "sub")],
      ),
      "a Loop with an Answer inside on a parallel branch": graph(
        [node("start", "start"), node("llm", "llm"), node("a", "answer", { text: "{{ llm.text }}" }), node("loop", "loop"), node("inner", "answer", { text: "x" }, { parentId: "loop" })],
        [edge("start", "llm"), edge("llm", "a"), edge("start", "loop")],
      ),
    };
    for (const [name, g] of Object.entries(cases)) expect(answerFeeds(g).size, name).toBe(0);
  });
});

describe("answerContent", () => {
  const token = (nodeId: string, text: string): ChatTextEvent => ({ type: "token", nodeId, text });
  const answer = (nodeId: string, text: string): ChatTextEvent => ({ type: "answer", nodeId, text });
  const play = (events: ChatTextEvent[], feeds: [string, { answer: string; prefix: string }][] = [], endSources: string[] = []) => {
    const pieces: string[] = [];
    const on = answerContent({ feeds: new Map(feeds), endSources: new Set(endSources) }, (text) => pieces.push(text));
    for (const event of events) on(event);
    return pieces;
  };

  it("joins Answer texts as the stored answer does, empty ones left out", () => {
    const texts = ["", "One.", "", "Two.", "Three."];
    const pieces = play(texts.map((text, i) => answer(`a${i}`, text)));
    expect(pieces).toEqual(["One.", "\n\nTwo.", "\n\nThree."]);
    expect(pieces.join("")).toBe(turnAnswer(texts, () => "unused"));
  });

  it("streams an LLM's tokens as the Answer it feeds, then only what the Answer adds after them", () => {
    const pieces = play(
      [answer("hello", "Hi."), token("llm", "Par"), token("other", "ignored"), token("llm", "is."), answer("reply", "Sure: Paris.\n\n(checked)"), answer("bye", "Bye.")],
      [["llm", { answer: "reply", prefix: "Sure: " }]],
    );
    expect(pieces).toEqual(["Hi.", "\n\nSure: Par", "is.", "\n\n(checked)", "\n\nBye."]);
    expect(pieces.join("")).toBe(turnAnswer(["Hi.", "Sure: Paris.\n\n(checked)", "Bye."], () => ""));
  });

  it("holds other Answers' texts while a fed Answer is being written, and drops a second feed's tokens", () => {
    const feeds: [string, { answer: string; prefix: string }][] = [
      ["m1", { answer: "a1", prefix: "" }],
      ["m2", { answer: "a2", prefix: "" }],
    ];
    const pieces = play([token("m1", "one"), answer("side", "Side."), token("m2", "two"), token("m1", " more"), answer("a1", "one more"), answer("a2", "two")], feeds);
    expect(pieces).toEqual(["one", " more", "\n\nSide.", "\n\ntwo"]);
  });

  it("sends nothing more of a fed Answer whose text does not begin with its tokens (the model was called again)", () => {
    const pieces = play([token("llm", "first try"), answer("reply", "second try"), answer("next", "Next.")], [["llm", { answer: "reply", prefix: "" }]]);
    expect(pieces).toEqual(["first try", "\n\nNext."]);
  });

  it("streams the End source's tokens where no Answer speaks", () => {
    expect(play([token("llm", "Hel"), token("llm", "lo"), token("classifier", "x")], [], ["llm"])).toEqual(["Hel", "lo"]);
  });
});

describe("the chat's preview of a fed Answer", () => {
  it("puts the Answer's leading text before its model's first token, once; other tokens and answers pass as they are", () => {
    const sent: ChatTextEvent[] = [];
    const send = withFeedPrefixes((event) => sent.push(event), new Map([["llm", { answer: "reply", prefix: "Sure: " }]]));
    const events: ChatTextEvent[] = [
      { type: "token", nodeId: "other", text: "x" },
      { type: "token", nodeId: "llm", text: "Par" },
      { type: "token", nodeId: "llm", text: "is" },
      { type: "token", nodeId: "child-run/llm", text: "child" },
      { type: "answer", nodeId: "reply", text: "Sure: Paris" },
    ];
    events.forEach(send);
    expect(sent.map((e) => e.text)).toEqual(["x", "Sure: Par", "is", "child", "Sure: Paris"]);
  });
});
