import type { ChatRequest, ChatResponse } from "@/lib/engine/ports";

/** A reply of the scripted model: a response (text and/or tool calls), or an error to throw. */
export type ScriptedChatReply = (Partial<ChatResponse> & { delayMs?: number }) | Error;

/**
 * A chat port that answers from a script, first in first out, and records every request (a
 * copy of its messages, since executors keep appending to the same conversation).
 */
export function scriptedChat(...replies: ScriptedChatReply[]) {
  const requests: ChatRequest[] = [];
  const queue = [...replies];
  const chat = async (request: ChatRequest): Promise<ChatResponse> => {
    requests.push({ ...request, messages: request.messages.map((m) => ({ ...m })) });
    const reply = queue.shift();
    if (!reply) throw new Error(`the scripted model has no reply for request ${requests.length}`);
    if (reply instanceof Error) throw reply;
    if (reply.delayMs) await new Promise((r) => setTimeout(r, reply.delayMs));
    if (reply.text) request.onToken?.(reply.text);
    return {
      text: reply.text ?? "",
      usage: reply.usage ?? { promptTokens: 10, completionTokens: 5, totalTokens: 15 },
      model: reply.model ?? request.model,
      finishReason: reply.finishReason ?? (reply.toolCalls?.length ? "tool_calls" : "stop"),
      ...(reply.toolCalls ? { toolCalls: reply.toolCalls } : {}),
      ...(reply.cost ? { cost: reply.cost } : {}),
      ...(reply.providerId ? { providerId: reply.providerId } : {}),
    };
  };
  return { chat, requests, remaining: () => queue.length };
}
