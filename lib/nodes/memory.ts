import { z } from "zod";
import { CHAT_HISTORY_INPUT, HistoryMessageSchema, type HistoryMessage } from "@/lib/engine/conversation";
import type { ChatMessage } from "@/lib/engine/ports";

/**
 * Conversation memory of the LLM and Agent nodes: which earlier turns of a conversational run
 * (`input.history`, lib/engine/conversation.ts) go to the model between the system prompt and the
 * user prompt. `turns` keeps the last N exchanges; `tokens` keeps the newest messages that fit a
 * budget (estimated at 4 characters a token). Either way the oldest fall out first: `overflow`
 * says whether they are simply dropped or summarised by the node's model (memory-summary.ts).
 */
export const MemorySchema = z.object({
  mode: z.enum(["off", "turns", "tokens"]).default("off"),
  /** Exchanges (a user message and its answer) kept by `turns`. */
  turns: z.number().int().min(1).max(100).default(10),
  /** Estimated tokens of history kept by `tokens`. */
  tokens: z.number().int().min(50).max(200_000).default(2_000),
  /** What happens to the turns that fall out: `drop` them, or `summarise` them into the system message. */
  overflow: z.enum(["drop", "summarise"]).default("drop"),
});
export type Memory = z.infer<typeof MemorySchema>;

export const memoryShape = { memory: MemorySchema.optional() };

/** Rough token count of a text: providers differ; 4 characters a token is the usual estimate. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** The history of the run's inputs, without anything malformed. */
export function historyOf(inputs: Record<string, unknown>): HistoryMessage[] {
  const raw = inputs[CHAT_HISTORY_INPUT];
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item) => {
    const parsed = HistoryMessageSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

/** The history split by `memory`: what the model is sent, and the older messages that fell out (all of it is dropped when memory is off). */
export function splitHistory(memory: Omit<Memory, "overflow"> | undefined, inputs: Record<string, unknown>): { kept: HistoryMessage[]; dropped: HistoryMessage[] } {
  if (!memory || memory.mode === "off") return { kept: [], dropped: [] };
  const history = historyOf(inputs);
  let kept: HistoryMessage[];
  if (memory.mode === "turns") {
    // A turn starts at a user message: keep from the Nth user message counted from the end.
    let users = 0;
    let from = history.length;
    while (from > 0 && users < memory.turns) {
      from--;
      if (history[from].role === "user") users++;
    }
    kept = history.slice(from);
  } else {
    kept = [];
    let budget = memory.tokens;
    for (let i = history.length - 1; i >= 0; i--) {
      budget -= estimateTokens(history[i].content);
      if (budget < 0) break;
      kept.unshift(history[i]);
    }
    // Never start with an orphan answer whose question was dropped.
    while (kept[0]?.role === "assistant") kept.shift();
  }
  return { kept, dropped: history.slice(0, history.length - kept.length) };
}

export const toChatMessages = (history: HistoryMessage[]): ChatMessage[] =>
  history.map((m): ChatMessage => (m.role === "user" ? { role: "user", content: m.content } : { role: "assistant", content: m.content }));

/** The history messages the model is sent under `memory` (none when memory is off or absent). */
export function memoryMessages(memory: Omit<Memory, "overflow"> | undefined, inputs: Record<string, unknown>): ChatMessage[] {
  return toChatMessages(splitHistory(memory, inputs).kept);
}
