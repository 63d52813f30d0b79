import { ChatOpenAICompletions } from "@langchain/openai";
import { createGuardedFetch } from "@/lib/net/guarded-fetch";
import { withLocalTokenizer } from "../local-tokenizer";
import type { ChatModelHandle, ChatModelParams } from "./types";

/** Sent as the bearer token to endpoints without keys: the OpenAI client refuses to start without one. */
export const NO_API_KEY = "weft-no-key";

/**
 * OpenAI-compatible endpoints (OpenAI, Ark, DashScope, DeepSeek, vLLM, Ollama /v1) all speak Chat
 * Completions, so we build `ChatOpenAICompletions`, the Chat Completions implementation inside
 * `ChatOpenAI`: `ChatOpenAI` itself switches to the Responses API for some model names
 * (e.g. "*codex*"), which these endpoints do not serve.
 */
export function createOpenAiCompatibleModel(params: ChatModelParams): ChatOpenAICompletions {
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
      fetch: params.fetch ?? createGuardedFetch({ allowPrivate: params.allowPrivateNetwork, allowList: params.allowList }),
      // Explicit nulls so OPENAI_ORG_ID / OPENAI_PROJECT_ID from the environment never leak to other hosts.
      organization: null,
      project: null,
      ...(params.headers ? { defaultHeaders: params.headers } : {}),
    },
  });
  // Anything in LangChain that counts tokens (getNumTokens, getNumTokensFromMessages) stays offline.
  return withLocalTokenizer(model, params.model);
}

export function openAiCompatibleHandle(params: ChatModelParams): ChatModelHandle {
  return {
    model: createOpenAiCompatibleModel(params),
    modelName: params.model,
    jsonCallOptions: { response_format: { type: "json_object" } },
    toolChoice: (choice) => choice,
    omitToolsForNone: false,
  };
}
