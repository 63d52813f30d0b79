import { db, poolOf } from "@/lib/db/client";
import type { ChatNodes } from "./tree-order";
import { turnSteps, type StepRow } from "./turn-steps";

/**
 * What a turn answers, the one rule of every channel that speaks as a chat (the chat's stored
 * answer, finish-turn.ts; the OpenAI endpoint and MCP tool calls, lib/channels/run-answer.ts): the
 * Answer nodes' texts of the run tree (the run and its sub-workflow runs at any depth) in the
 * order they spoke (tree-order.ts inSpeakingOrder), empty ones left out, joined by a blank line; the
 * End output's text when no Answer node spoke.
 */

export const ANSWER_SEPARATOR = "\n\n";

/** The texts of the Answer steps among a turn's spoken steps (turnSteps), in their order. */
export const answerTexts = (spoken: readonly StepRow[]): string[] =>
  spoken.filter((s) => s.nodeType === "answer").map((s) => String((s.output as { text?: unknown } | null)?.text ?? ""));

/** The End output field a turn's answer is read from: `answer`, else `text`, else the only one. */
export function pickAnswerField<T>(fields: T[], nameOf: (f: T) => string): T | undefined {
  return fields.find((f) => nameOf(f) === "answer") ?? fields.find((f) => nameOf(f) === "text") ?? (fields.length === 1 ? fields[0] : undefined);
}

const asText = (value: unknown): string => (typeof value === "string" ? value : (JSON.stringify(value ?? "", null, 2) ?? ""));

/**
 * The answer text of a finished run's End output, where no Answer node spoke: its field `answer`,
 * else `text`, else its only field, as is when it is text; anything else as indented JSON.
 */
export function endOutputText(output: unknown): string {
  if (output === null || output === undefined) return "";
  if (typeof output !== "object" || Array.isArray(output)) return asText(output);
  const field = pickAnswerField(Object.entries(output as Record<string, unknown>), ([name]) => name);
  return asText(field ? field[1] : output);
}

export function turnAnswer(answers: readonly string[], endText: () => string): string {
  return answers.length > 0 ? answers.filter(Boolean).join(ANSWER_SEPARATOR) : endText();
}

/**
 * The answer of a finished run whose graph has these Answer and Sub-workflow nodes: the End text
 * as is, without a read, when there is neither (nothing else can speak); else one statement
 * (the tree's, when Sub-workflow nodes may have started child runs).
 */
export async function readTurnAnswer(runId: string, nodes: ChatNodes, endText: () => string): Promise<string> {
  if (nodes.answers.length === 0 && nodes.subworkflows.length === 0) return endText();
  const { spoken } = await turnSteps(poolOf(db()), runId, nodes.subworkflows.length > 0);
  return turnAnswer(answerTexts(spoken), endText);
}
