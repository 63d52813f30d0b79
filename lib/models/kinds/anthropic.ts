import { ChatAnthropic } from "@langchain/anthropic";
import { createGuardedFetch } from "@/lib/net/guarded-fetch";
import { withLocalTokenizer } from "../local-tokenizer";
import type { ChatModelHandle, ChatModelParams } from "./types";
import { NO_API_KEY } from "./openai";

/**
 * Anthropic's Messages API through `ChatAnthropic`. The SDK appends /v1/messages itself, so a base
 * URL typed with a trailing /v1 is trimmed. The key is passed explicitly (a placeholder when the
 * row has none) so ANTHROPIC_API_KEY / ANTHROPIC_BASE_URL / LANGSMITH_GATEWAY from the server's
 * environment never apply.
 */
export function createAnthropicModel(params: ChatModelParams): ChatAnthropic {
  const model = new ChatAnthropic({
    model: params.model,
    apiKey: params.apiKey || NO_API_KEY,
    anthropicApiUrl: params.baseUrl.replace(/\/v1\/?$/, ""),
    temperature: params.temperature,
    // Claude needs max_tokens on every request; without one from the node, ChatAnthropic uses its per-model default.
    maxTokens: params.maxTokens,
    maxRetries: 0,
    streamUsage: true,
    clientOptions: {
      fetch: params.fetch ?? createGuardedFetch({ allowPrivate: params.allowPrivateNetwork, allowList: params.allowList }),
      timeout: params.timeoutMs,
      ...(params.headers ? { defaultHeaders: params.headers } : {}),
    },
  });
  // ChatAnthropic inherits @langchain/core's getNumTokens, which downloads tiktoken encodings.
  return withLocalTokenizer(model, params.model);
}

export function anthropicHandle(params: ChatModelParams): ChatModelHandle {
  return {
    model: createAnthropicModel(params),
    modelName: params.model,
    // No JSON mode on the Messages API: the LLM node's instruction and parser do the work.
    jsonCallOptions: {},
    // ChatAnthropic maps "required" to {type:"any"}, "auto"/"none" to their block forms.
    toolChoice: (choice) => choice,
    omitToolsForNone: false,
  };
}
