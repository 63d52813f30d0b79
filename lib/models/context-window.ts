import { NodeError } from "@/lib/engine/errors";
import type { ChatMessage, ChatToolSpec } from "@/lib/engine/ports";
import { countTokens } from "./local-tokenizer";

/** Per-message framing tokens (role markers), as OpenAI documents; close enough for other models. */
const PER_MESSAGE = 4;

function texts(messages: ChatMessage[], tools: ChatToolSpec[] | undefined): string[] {
  const out: string[] = [];
  for (const m of messages) {
    out.push(m.content);
    if (m.role === "assistant" && m.toolCalls?.length) out.push(JSON.stringify(m.toolCalls));
  }
  if (tools?.length) out.push(JSON.stringify(tools));
  return out;
}

/**
 * Refuses a prompt that cannot fit the model's context window, counted locally (never by asking the
 * provider). A token is at least one byte, so prompts with fewer UTF-8 bytes than the window skip
 * the tokenizer entirely (loading its tables costs seconds the first time).
 */
export async function assertFitsContext(
  messages: ChatMessage[],
  tools: ChatToolSpec[] | undefined,
  opts: { model: string; contextWindow?: number; maxTokens?: number },
): Promise<void> {
  const window = opts.contextWindow;
  if (!window) return;
  const parts = texts(messages, tools);
  const bytes = parts.reduce((sum, text) => sum + Buffer.byteLength(text, "utf8"), 0) + messages.length * PER_MESSAGE;
  if (bytes < window) return;
  let tokens = messages.length * PER_MESSAGE;
  for (const text of parts) tokens += await countTokens(text, opts.model);
  if (tokens >= window) {
    throw new NodeError(
      "limit_exceeded",
      `The prompt is about ${tokens.toLocaleString("en-US")} tokens (counted locally), more than the ${window.toLocaleString("en-US")}-token context window of model "${opts.model}". Shorten the prompt or choose a model with a larger window.`,
    );
  }
}
