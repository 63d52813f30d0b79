/**
 * Starting values for well-known model names: what Settings → Models pre-fills when a model is
 * added. Prices are per million tokens in the provider's billing currency, as published at the
 * time of writing; they are only defaults — each workspace edits its own (ModelProvider.modelInfo).
 * Isomorphic, data only.
 */

export interface KnownModel {
  contextWindow: number;
  maxOutputTokens?: number;
  capabilities: { tools: boolean; json: boolean; vision: boolean; streaming: boolean };
  inputPrice?: number;
  outputPrice?: number;
  currency: string;
}

const chat = (tools: boolean, json: boolean, vision: boolean) => ({ tools, json, vision, streaming: true });

export const KNOWN_MODELS: Readonly<Record<string, KnownModel>> = {
  // OpenAI
  "gpt-4o-mini": { contextWindow: 128_000, maxOutputTokens: 16_384, capabilities: chat(true, true, true), inputPrice: 0.15, outputPrice: 0.6, currency: "USD" },
  "gpt-4o": { contextWindow: 128_000, maxOutputTokens: 16_384, capabilities: chat(true, true, true), inputPrice: 2.5, outputPrice: 10, currency: "USD" },
  "gpt-4.1": { contextWindow: 1_047_576, maxOutputTokens: 32_768, capabilities: chat(true, true, true), inputPrice: 2, outputPrice: 8, currency: "USD" },
  "gpt-4.1-mini": { contextWindow: 1_047_576, maxOutputTokens: 32_768, capabilities: chat(true, true, true), inputPrice: 0.4, outputPrice: 1.6, currency: "USD" },
  "gpt-4.1-nano": { contextWindow: 1_047_576, maxOutputTokens: 32_768, capabilities: chat(true, true, true), inputPrice: 0.1, outputPrice: 0.4, currency: "USD" },
  // Anthropic (no JSON mode on the Messages API; the LLM node asks for JSON in the prompt)
  "claude-sonnet-4-5": { contextWindow: 200_000, maxOutputTokens: 64_000, capabilities: chat(true, false, true), inputPrice: 3, outputPrice: 15, currency: "USD" },
  "claude-haiku-4-5": { contextWindow: 200_000, maxOutputTokens: 64_000, capabilities: chat(true, false, true), inputPrice: 1, outputPrice: 5, currency: "USD" },
  "claude-opus-4-1": { contextWindow: 200_000, maxOutputTokens: 32_000, capabilities: chat(true, false, true), inputPrice: 15, outputPrice: 75, currency: "USD" },
  // DeepSeek
  "deepseek-chat": { contextWindow: 128_000, maxOutputTokens: 8_192, capabilities: chat(true, true, false), inputPrice: 0.28, outputPrice: 0.42, currency: "USD" },
  "deepseek-reasoner": { contextWindow: 128_000, maxOutputTokens: 65_536, capabilities: chat(true, true, false), inputPrice: 0.28, outputPrice: 0.42, currency: "USD" },
  // Qwen on DashScope (mainland prices, CNY)
  "qwen-plus": { contextWindow: 131_072, maxOutputTokens: 16_384, capabilities: chat(true, true, false), inputPrice: 0.8, outputPrice: 2, currency: "CNY" },
  "qwen-turbo": { contextWindow: 1_000_000, maxOutputTokens: 16_384, capabilities: chat(true, true, false), inputPrice: 0.3, outputPrice: 0.6, currency: "CNY" },
  "qwen-max": { contextWindow: 32_768, maxOutputTokens: 8_192, capabilities: chat(true, true, false), inputPrice: 2.4, outputPrice: 9.6, currency: "CNY" },
  // Doubao on Volcano Ark (CNY, lowest tier)
  "doubao-seed-1-6-250615": { contextWindow: 256_000, maxOutputTokens: 32_768, capabilities: chat(true, true, true), inputPrice: 0.8, outputPrice: 8, currency: "CNY" },
  "doubao-1-5-pro-32k-250115": { contextWindow: 32_768, maxOutputTokens: 12_288, capabilities: chat(true, true, false), inputPrice: 0.8, outputPrice: 2, currency: "CNY" },
  "doubao-1-5-lite-32k-250115": { contextWindow: 32_768, maxOutputTokens: 12_288, capabilities: chat(true, true, false), inputPrice: 0.3, outputPrice: 0.6, currency: "CNY" },
  // Local models (Ollama, vLLM): no price
  "llama3.2": { contextWindow: 131_072, capabilities: chat(true, true, false), currency: "USD" },
  "qwen2.5": { contextWindow: 32_768, capabilities: chat(true, true, false), currency: "USD" },
  mistral: { contextWindow: 32_768, capabilities: chat(true, true, false), currency: "USD" },
};

/** The known values for a model name; a `:tag` (Ollama) or `-YYYYMMDD`-style suffix still matches its family. */
export function knownModel(name: string): KnownModel | undefined {
  const exact = KNOWN_MODELS[name];
  if (exact) return exact;
  const base = name.replace(/:[\w.-]+$/, "").replace(/-(\d{4}-\d{2}-\d{2}|\d{8})$/, "");
  return KNOWN_MODELS[base];
}
