import { describe, expect, it } from "vitest";
import { answerTexts, turnAnswer } from "@/lib/chat/turn-answer";

/** The one answer rule of the chat, the OpenAI endpoint and MCP, stored and live. */

const step = (nodeType: string, output: unknown) => ({ nodeType, output: output as never, detail: null });

describe("the turn's answer", () => {
  it("is the Answer texts in order, empty ones left out, joined by a blank line; else the End text", () => {
    const spoken = [step("answer", { text: "One." }), step("knowledge", { results: [] }), step("answer", { text: "" }), step("answer", { text: "Two." })];
    expect(answerTexts(spoken)).toEqual(["One.", "", "Two."]);
    expect(turnAnswer(answerTexts(spoken), () => "the End")).toBe("One.\n\nTwo.");
    expect(turnAnswer([], () => "the End")).toBe("the End");
    // An Answer that spoke nothing still means the End is not the answer.
    expect(turnAnswer([""], () => "the End")).toBe("");
  });
});
