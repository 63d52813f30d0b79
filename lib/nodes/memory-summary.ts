import type { HistoryMessage } from "@/lib/engine/conversation";
import { NodeError } from "@/lib/engine/errors";
import type { NodeContext } from "@/lib/engine/node-kit";
import type { ChatMessage, Cost, MemorySummary } from "@/lib/engine/ports";
import type { TokenUsage } from "@/lib/engine/usage";
import { splitHistory, toChatMessages, type Memory } from "./memory";
import type { ModelChoice } from "./model-config";

/**
 * Conversation memory with summarised overflow, for the LLM and Agent nodes. The turns that fall
 * out of the window or budget are summarised by the node's own model (one extra call) and the
 * summary goes at the end of the system message (a second system message is refused by some
 * providers). The summary is cached with the chat conversation, per node, keyed by the id of the
 * last message it covers (MemoryPort): a later turn reuses it as it is when nothing more fell out,
 * or extends it with only the messages that fell out since (previous summary + new messages).
 */

export const SUMMARY_SYSTEM_PROMPT =
  "You summarise the earlier part of a conversation between a user and an assistant so that the assistant can continue it. " +
  "Keep names, facts, numbers, preferences, decisions and open questions. Write at most 200 words. Answer with the summary only.";

export const SUMMARY_HEADING = "Summary of the earlier conversation:";

export interface MemoryTrace {
  summary: string;
  /** Id of the last message the summary covers (absent when the history carries no ids). */
  through?: string;
  /** Whether the stored summary was used as it was (no model call). */
  cached: boolean;
  summarisedMessages: number;
  usage?: TokenUsage;
  cost?: Cost;
}

export interface MemoryContext {
  /** The history messages sent between the system prompt and the user prompt. */
  history: ChatMessage[];
  /** The system message's text with the summary appended (unchanged without one). */
  system: (systemText: string) => string;
  trace: MemoryTrace | null;
}

const transcript = (messages: HistoryMessage[]) => messages.map((m) => `${m.role === "user" ? "User" : "Assistant"}: ${m.content}`).join("\n\n");

function summaryRequest(previous: string | null, messages: HistoryMessage[]): ChatMessage[] {
  const body = previous ? `Summary so far:\n${previous}\n\nMessages since:\n${transcript(messages)}` : `Messages:\n${transcript(messages)}`;
  return [
    { role: "system", content: SUMMARY_SYSTEM_PROMPT },
    { role: "user", content: body },
  ];
}

type MemoryConfig = ModelChoice & { memory?: Memory };

/** The history and summary a node sends under its memory setting (one model call when new turns fell out and are summarised). */
export async function memoryContext(ctx: NodeContext<MemoryConfig>): Promise<MemoryContext> {
  const memory = ctx.config.memory;
  const { kept, dropped } = splitHistory(memory, ctx.inputs);
  const history = toChatMessages(kept);
  if (memory?.overflow !== "summarise" || dropped.length === 0) return { history, system: (text) => text, trace: null };
  const trace = await summarise(ctx, dropped);
  const block = `${SUMMARY_HEADING}\n${trace.summary}`;
  return { history, system: (text) => (text ? `${text}\n\n${block}` : block), trace };
}

async function summarise(ctx: NodeContext<MemoryConfig>, dropped: HistoryMessage[]): Promise<MemoryTrace> {
  const ids = dropped.map((m) => m.id);
  const keyed = ids.every((id): id is string => typeof id === "string");
  const through = keyed ? ids.at(-1) : undefined;
  const key = { nodeId: ctx.nodeId, messageIds: keyed ? ids : [] };
  const port = keyed ? ctx.services.memory : undefined;
  const stored: MemorySummary | null = port ? await port.load(key) : null;
  if (stored && stored.through === through) return { summary: stored.summary, through, cached: true, summarisedMessages: 0 };
  // Extend the stored summary with what fell out since; start over when it covers none of these messages.
  const from = stored ? dropped.findIndex((m) => m.id === stored.through) + 1 : 0;
  const previous = stored && from > 0 ? stored.summary : null;
  const fresh = dropped.slice(from);
  const messages = summaryRequest(previous, fresh);
  const response = await ctx.services
    .chat({ providerId: ctx.config.providerId, model: ctx.config.model, messages, signal: ctx.signal, idempotencyKey: `${ctx.idempotencyKey}:memory-summary` })
    .catch((error: unknown) => {
      throw error instanceof NodeError ? error.withTrace({ input: messages, detail: { memorySummary: { messages } } }) : error;
    });
  const summary = response.text.trim();
  if (port && through && summary) await port.save(key, { through, summary });
  return { summary, through, cached: false, summarisedMessages: fresh.length, usage: response.usage, ...(response.cost ? { cost: response.cost } : {}) };
}
