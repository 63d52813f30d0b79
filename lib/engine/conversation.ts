import { z } from "zod";
import type { Graph } from "./graph";
import type { NodeRegistry } from "./validate";
import { matchesType, type WorkflowVariable } from "./variables";

/**
 * Conversational workflows (chat apps, lib/chat). The Start node's `conversation` setting marks a
 * workflow as conversational; its runs then get three inputs besides the declared ones:
 * `message` (the user's turn), `history` (earlier turns, oldest first) and `conversation` (the
 * current values of the conversation variables). Conversation variables are workflow variables
 * (graph.variables) named in `conversation.variables`: a run starts with the conversation's values
 * instead of the declared defaults, Variable assign changes them as usual, and the chat service
 * stores their values at the end of the turn (lib/chat/finish-turn.ts), so they persist across turns.
 */

export const CHAT_MESSAGE_INPUT = "message";
export const CHAT_HISTORY_INPUT = "history";
export const CHAT_VARIABLES_INPUT = "conversation";
export const CHAT_INPUT_NAMES = [CHAT_MESSAGE_INPUT, CHAT_HISTORY_INPUT, CHAT_VARIABLES_INPUT] as const;

export const ConversationSettingsSchema = z.object({
  enabled: z.boolean().default(false),
  /** Workflow variables whose values persist from one turn of a conversation to the next. */
  variables: z.array(z.string().max(63)).max(50).default([]),
});
export type ConversationSettings = z.infer<typeof ConversationSettingsSchema>;

/** One earlier turn as a conversational run receives it in `history`. */
export const HistoryMessageSchema = z.object({
  role: z.enum(["user", "assistant"]),
  content: z.string(),
  /** The chat message's id (set by the chat service): the key of memory summaries (lib/nodes/memory-summary.ts). */
  id: z.string().max(64).optional(),
});
export type HistoryMessage = z.infer<typeof HistoryMessageSchema>;

/** The inputs a conversational Start adds to its declared ones (the run-input check uses them). */
export const CHAT_INPUTS = [
  { name: CHAT_MESSAGE_INPUT, type: "string" as const, required: true, label: "The user's message" },
  { name: CHAT_HISTORY_INPUT, type: "array" as const, required: false, label: "Earlier turns, oldest first: { role, content }" },
  { name: CHAT_VARIABLES_INPUT, type: "object" as const, required: false, label: "The conversation variables' values" },
];

/** The Start node's conversation setting, or null when the workflow is not conversational. */
export function conversationOf(graph: Pick<Graph, "nodes">, registry: NodeRegistry): ConversationSettings | null {
  const start = graph.nodes.find((n) => registry[n.type]?.role === "start");
  const raw = (start?.data as { conversation?: unknown } | undefined)?.conversation;
  const parsed = ConversationSettingsSchema.safeParse(raw ?? {});
  return parsed.success && parsed.data.enabled ? parsed.data : null;
}

/**
 * The values a conversational run starts its conversation variables with: those of `inputs.conversation`
 * that name a conversation variable and have its declared type (anything else keeps the default).
 */
export function carriedVariables(
  settings: ConversationSettings | null,
  declared: readonly WorkflowVariable[],
  inputs: Record<string, unknown>,
): Record<string, unknown> {
  const given = inputs[CHAT_VARIABLES_INPUT];
  if (!settings || typeof given !== "object" || given === null) return {};
  const carried: Record<string, unknown> = {};
  for (const variable of declared) {
    if (!settings.variables.includes(variable.name) || !Object.hasOwn(given, variable.name)) continue;
    const value = (given as Record<string, unknown>)[variable.name];
    if (matchesType(value, variable.type)) carried[variable.name] = value;
  }
  return carried;
}
