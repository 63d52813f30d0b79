import { AIMessage, type AIMessageChunk, type BaseMessage, HumanMessage, SystemMessage, ToolMessage } from "@langchain/core/messages";
import { ChatOpenAICompletions } from "@langchain/openai";
import type { ChatMessage, ChatResponse } from "@/lib/engine/ports";
import type { TokenUsage } from "@/lib/engine/usage";
import { createGuardedFetch, type FetchLike } from "@/lib/net/guarded-fetch";
import { withLocalTokenizer } from "./local-tokenizer";

/**
 * Provider row -> LangChain chat model. OpenAI-compatible endpoints (OpenAI, Ark, DashScope,
 * DeepSeek, vLLM, Ollama /v1) all speak Chat Completions, so we build `ChatOpenAICompletions`,
 * the Chat Completions implementation inside `ChatOpenAI`: `ChatOpenAI` itself switches to the
 * Responses API for some model names (e.g. "*codex*"), which these endpoints do not serve.
 */

export interface ChatModelParams {
  baseUrl: string;
  /** Decrypted key; undefined for endpoints that need none (a placeholder is sent, never OPENAI_API_KEY). */
  apiKey?: string;
  model: string;
  temperature?: number;
  maxTokens?: number;
  /** Per-request timeout of the HTTP client, in milliseconds. */
  timeoutMs?: number;
  /** Whether loopback/private addresses may be reached (see lib/net/ssrf.ts). */
  allowPrivateNetwork: boolean;
  /** Overrides the guarded fetch (tests only). */
  fetch?: FetchLike;
  /** Extra headers on every request of this model (e.g. the step's Idempotency-Key). */
  headers?: Record<string, string>;
}

/** Sent as the bearer token to endpoints without keys: the OpenAI client refuses to start without one. */
export const NO_API_KEY = "weft-no-key";

export function createChatModel(params: ChatModelParams): ChatOpenAICompletions {
  const model = new ChatOpenAICompletions({
    model: params.model,
    apiKey: params.apiKey || NO_API_KEY,
    temperature: params.temperature,
    maxTokens: params.maxTokens,
    // The run engine owns retries (per-node policy); a hidden retry here would double them.
    maxRetries: 0,
    timeout: params.timeoutMs,
    // Usage comes from the provider (stream_options.include_usage), never from a local tokenizer.
    streamUsage: true,
    configuration: {
      baseURL: params.baseUrl,
      fetch: params.fetch ?? createGuardedFetch({ allowPrivate: params.allowPrivateNetwork }),
      // Explicit nulls so OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment never leak to other hosts.
      organization: null,
      project: null,
      ...(params.headers ? { defaultHeaders: params.headers } : {}),
    },
  });
  // Anything in LangChain that counts tokens (getNumTokens, getNumTokensFromMessages) stays offline.
  return withLocalTokenizer(model, params.model);
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

export interface StreamChatOptions {
  signal: AbortSignal;
  json?: boolean;
  onToken?: (text: string) => void;
}

function chunkText(chunk: AIMessageChunk): string {
  if (typeof chunk.content === "string") return chunk.content;
  return chunk.content.map((part) => (part.type === "text" && typeof part.text === "string" ? part.text : "")).join("");
}

/**
 * Streams one completion, handing each piece of text to onToken as it arrives, and returns the
 * whole answer with the provider-reported usage. Always `.stream()`: `invoke()` on a streaming
 * model estimates tokens with tiktoken, which downloads encodings from the internet.
 */
export async function streamChat(model: ChatOpenAICompletions, messages: ChatMessage[], options: StreamChatOptions): Promise<ChatResponse> {
  const stream = await model.stream(toLangChainMessages(messages), {
    signal: options.signal,
    ...(options.json ? { response_format: { type: "json_object" as const } } : {}),
  });
  let text = "";
  let usage: TokenUsage | undefined;
  let finishReason: string | undefined;
  let modelName: string | undefined;
  for await (const chunk of stream) {
    const piece = chunkText(chunk);
    if (piece) {
      text += piece;
      options.onToken?.(piece);
    }
    if (chunk.usage_metadata) {
      usage = {
        promptTokens: chunk.usage_metadata.input_tokens,
        completionTokens: chunk.usage_metadata.output_tokens,
        totalTokens: chunk.usage_metadata.total_tokens,
      };
    }
    const meta = chunk.response_metadata as { finish_reason?: unknown; model_name?: unknown };
    if (typeof meta.finish_reason === "string") finishReason = meta.finish_reason;
    if (typeof meta.model_name === "string" && meta.model_name) modelName = meta.model_name;
  }
  options.signal.throwIfAborted();
  return {
    text,
    // A provider that ignores include_usage reports nothing: record zeros rather than guess.
    usage: usage ?? { promptTokens: 0, completionTokens: 0, totalTokens: 0 },
    model: modelName ?? model.model,
    finishReason,
  };
}
