import { z } from "zod";
import { defineNode } from "@/lib/engine/node-kit";

export const AnswerConfigSchema = z.object({
  /** Liquid template of the text sent to the chat, e.g. `{{ llm_1.text }}`. */
  text: z.string().max(100_000),
});
export type AnswerConfig = z.infer<typeof AnswerConfigSchema>;

/**
 * Sends text to the chat in the middle of a run (conversational workflows, lib/chat). A run may
 * have several; the assistant's message of the turn is their texts joined in the order they ran.
 */
export const answerNode = defineNode({
  type: "answer",
  label: "Answer",
  description: "Sends text to the chat while the run goes on; the chat's answer is every Answer's text in order.",
  category: "basic",
  color: "#0891b2",
  configSchema: AnswerConfigSchema,
  defaultConfig: () => ({ text: "" }),
  hasInput: true,
  // Its text goes to live watchers as it runs (a delta), while its step is recorded lazily with the
  // next write (lib/runs/step-store.ts): after a crash it runs again and says the same words, which
  // the chat tells once (lib/chat/turn-text.ts). Two statements fewer per Answer.
  pure: true,
  outputHandles: () => [{ id: "out", label: "" }],
  outputFields: () => [{ name: "text", type: "string" as const, description: "The text sent to the chat" }],
  templates: (config) => [config.text],
  check: (config) => (config.text.trim() ? [] : ["The answer text is empty."]),
});
