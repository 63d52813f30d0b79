import type { BaseLanguageModelInput } from "@langchain/core/language_models/base";
import type { BaseChatModelCallOptions } from "@langchain/core/language_models/chat_models";
import { AIMessage, type AIMessageChunk, type BaseMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import type { Runnable } from "@langchain/core/runnables";
import { NodeError } from "@/lib/engine/errors";
import type { ChatMessage, ChatResponse, ChatToolSpec, ToolCall } from "@/lib/engine/ports";
import type { TokenUsage } from "@/lib/engine/usage";
import type { ProviderKind } from "./provider-kinds";
import { anthropicHandle } from "./kinds/anthropic";
import { ollamaHandle } from "./kinds/ollama";
import { openAiCompatibleHandle } from "./kinds/openai";
import type { ChatModelHandle, ChatModelParams, ToolChoice } from "./kinds/types";

export { createOpenAiCompatibleModel, NO_API_KEY } from "./kinds/openai";
export type { ChatModelHandle, ChatModelParams, ToolChoice } from "./kinds/types";

/** Provider row kind -> the LangChain chat model for that wire (lib/models/kinds/*). */
const BUILDERS: Record<ProviderKind, (params: ChatModelParams) => ChatModelHandle> = {
  openai_compatible: openAiCompatibleHandle,
  anthropic: anthropicHandle,
  ollama: ollamaHandle,
};

export function createChatModel(kind: ProviderKind, params: ChatModelParams): ChatModelHandle {
  return BUILDERS[kind](params);
}

export function toLangChainMessages(messages: ChatMessage[]): BaseMessage[] {
  return messages.map((m) => {
    switch (m.role) {
      case "system":
        return new SystemMessage(m.content);
      case "user":
        return new HumanMessage(m.content);
      case "assistant":
        return new AIMessage({
          content: m.content,
          tool_calls: (m.toolCalls ?? []).map((call) => ({ id: call.id, name: call.name, args: call.args, type: "tool_call" as const })),
        });
      case "tool":
        return new ToolMessage({ content: m.content, tool_call_id: m.toolCallId });
    }
  });
}

/** JSON-Schema tools in the OpenAI function format, which every LangChain chat model's bindTools accepts. */
export function toOpenAiTools(tools: ChatToolSpec[]) {
  return tools.map((tool) => ({
    type: "function" as const,
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  }));
}

export interface StreamChatOptions {
  signal: AbortSignal;
  json?: boolean;
  onToken?: (text: string) => void;
  tools?: ChatToolSpec[];
  toolChoice?: ToolChoice;
}

function chunkText(chunk: AIMessageChunk): string {
  if (typeof chunk.content === "string") return chunk.content;
  return chunk.content.map((part) => (part.type === "text" && typeof part.text === "string" ? part.text : "")).join("");
}

function withTools(handle: ChatModelHandle, options: StreamChatOptions): Runnable<BaseLanguageModelInput, AIMessageChunk> {
  const tools = options.tools ?? [];
  const choice = options.toolChoice ?? "auto";
  if (!tools.length || (choice === "none" && handle.omitToolsForNone)) return handle.model;
  if (!handle.model.bindTools) throw new NodeError("provider_bad_request", "This provider's models cannot call tools.");
  const spelled = handle.toolChoice(choice) as BaseChatModelCallOptions["tool_choice"];
  return handle.model.bindTools(toOpenAiTools(tools), spelled === undefined ? {} : { tool_choice: spelled });
}

/**
 * Usage across chunks, field by field the largest seen: OpenAI and Ollama report once at the end,
 * Anthropic reports input tokens in message_start and the running output total in message_delta
 * (LangChain's concat would add message_start's provisional output token to the total).
 */
function maxUsage(current: TokenUsage | undefined, chunk: AIMessageChunk): TokenUsage | undefined {
  const u = chunk.usage_metadata;
  if (!u) return current;
  const promptTokens = Math.max(current?.promptTokens ?? 0, u.input_tokens ?? 0);
  const completionTokens = Math.max(current?.completionTokens ?? 0, u.output_tokens ?? 0);
  return { promptTokens, completionTokens, totalTokens: promptTokens + completionTokens };
}

/** Tool calls of the whole answer; a call whose arguments are not a JSON object fails the step clearly. */
function toolCallsOf(full: AIMessageChunk | undefined): ToolCall[] {
  if (!full) return [];
  const invalid = full.invalid_tool_calls ?? [];
  if (invalid.length) {
    const first = invalid[0];
    const args = first?.args ? ` Arguments: ${first.args.slice(0, 200)}` : "";
    throw new NodeError("output_invalid", `The model called tool "${first?.name ?? "?"}" with arguments that are not a JSON object.${args}`);
  }
  return (full.tool_calls ?? []).map((call, index) => ({ id: call.id ?? `call_${index}`, name: call.name, args: call.args }));
}

/**
 * Streams one completion, handing each piece of text to onToken as it arrives, and returns the
 * whole answer with the provider-reported usage and any tool calls (the chunks that carry them are
 * merged with LangChain's own `concat`, which joins tool-call argument pieces by index). Always `.stream()`:
 * `invoke()` on a streaming model estimates tokens with tiktoken, which downloads encodings.
 */
export async function streamChat(handle: ChatModelHandle, messages: ChatMessage[], options: StreamChatOptions): Promise<ChatResponse> {
  const runnable = withTools(handle, options);
  const stream = await runnable.stream(toLangChainMessages(messages), {
    signal: options.signal,
    ...(options.json ? handle.jsonCallOptions : {}),
  });
  let text = "";
  let full: AIMessageChunk | undefined;
  let reported: TokenUsage | undefined;
  let finishReason: string | undefined;
  let modelName: string | undefined;
  for await (const chunk of stream) {
    const piece = chunkText(chunk);
    if (piece) {
      text += piece;
      options.onToken?.(piece);
    }
    // Only tool-call pieces need LangChain's merge (it joins their argument fragments by index);
    // text, usage and the finish reason are kept here, so the many text chunks skip its cost.
    if (chunk.tool_call_chunks?.length) full = full ? full.concat(chunk) : chunk;
    reported = maxUsage(reported, chunk);
    const meta = chunk.response_metadata as { finish_reason?: unknown; stop_reason?: unknown; done_reason?: unknown; model_name?: unknown; model?: unknown };
    // Anthropic puts message_delta's stop_reason in additional_kwargs; Ollama calls it done_reason.
    const finish = meta.finish_reason ?? meta.stop_reason ?? meta.done_reason ?? (chunk.additional_kwargs as { stop_reason?: unknown }).stop_reason;
    if (typeof finish === "string" && finish) finishReason = finish;
    const name = meta.model_name ?? meta.model;
    if (typeof name === "string" && name) modelName = name;
  }
  options.signal.throwIfAborted();
  // A provider that reports no usage gets zeros rather than a guess.
  const usage: TokenUsage = reported ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  const toolCalls = toolCallsOf(full);
  return {
    text,
    usage,
    model: modelName ?? handle.modelName,
    finishReason,
    ...(toolCalls.length ? { toolCalls } : {}),
  };
}
