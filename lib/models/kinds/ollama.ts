import { ChatOllama } from "@langchain/ollama";
import { createGuardedFetch } from "@/lib/net/guarded-fetch";
import { withLocalTokenizer } from "../local-tokenizer";
import type { ChatModelHandle, ChatModelParams } from "./types";

/**
 * Ollama's native API (/api/chat, NDJSON streaming) through `ChatOllama`. The client appends
 * /api/chat, so a base URL typed with /api or /v1 is trimmed. The call's signal is tied into every
 * fetch: ChatOllama only notices an abort between chunks, which a stalled server never sends.
 */
export function createOllamaModel(params: ChatModelParams): ChatOllama {
  const guarded = params.fetch ?? createGuardedFetch({ allowPrivate: params.allowPrivateNetwork, allowList: params.allowList });
  const signal = params.signal;
  const headers: Record<string, string> = { ...params.headers, ...(params.apiKey ? { Authorization: `Bearer ${params.apiKey}` } : {}) };
  const model = new ChatOllama({
    model: params.model,
    baseUrl: params.baseUrl.replace(/\/(api|v1)\/?$/, ""),
    temperature: params.temperature,
    numPredict: params.maxTokens,
    ...(params.json ? { format: "json" } : {}),
    headers,
    // Never pull a model as a side effect of a run.
    checkOrPullModel: false,
    fetch: (input: string | URL | Request, init?: RequestInit) =>
      guarded(input, signal ? { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal } : init),
  });
  return withLocalTokenizer(model, params.model);
}

export function ollamaHandle(params: ChatModelParams): ChatModelHandle {
  return {
    model: createOllamaModel(params),
    modelName: params.model,
    // JSON is the `format` constructor option (set from params.json).
    jsonCallOptions: {},
    // /api/chat has no tool_choice: "none" means not offering the tools at all.
    toolChoice: () => undefined,
    omitToolsForNone: true,
  };
}
