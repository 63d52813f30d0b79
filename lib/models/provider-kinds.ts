/**
 * Provider kinds and the presets the Settings → Models form starts from. Isomorphic (the form
 * imports it): no server imports here.
 */

/** Wire protocols Weft can speak (one builder each in lib/models/kinds). */
export const PROVIDER_KINDS = ["openai_compatible", "anthropic", "ollama"] as const;
export type ProviderKind = (typeof PROVIDER_KINDS)[number];

export const PROVIDER_PRESET_IDS = ["openai", "anthropic", "doubao", "qwen", "deepseek", "vllm", "ollama", "ollama_native", "custom"] as const;
export type ProviderPresetId = (typeof PROVIDER_PRESET_IDS)[number];

export interface ProviderPreset {
  label: string;
  kind: ProviderKind;
  defaultBaseUrl: string;
  apiKeyRequired: boolean;
  suggestedModels: readonly string[];
  /** One line for the form, e.g. where to find the key. */
  hint: string;
}

export const PROVIDER_PRESETS = {
  openai: {
    label: "OpenAI",
    kind: "openai_compatible",
    defaultBaseUrl: "https://api.openai.com/v1",
    apiKeyRequired: true,
    suggestedModels: ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "gpt-4.1"],
    hint: "API keys are at platform.openai.com → API keys.",
  },
  anthropic: {
    label: "Anthropic (Claude)",
    kind: "anthropic",
    defaultBaseUrl: "https://api.anthropic.com",
    apiKeyRequired: true,
    suggestedModels: ["claude-sonnet-4-5", "claude-haiku-4-5", "claude-opus-4-1"],
    hint: "API keys are at console.anthropic.com → API keys. Uses the Messages API.",
  },
  doubao: {
    label: "Doubao (Volcano Ark)",
    kind: "openai_compatible",
    defaultBaseUrl: "https://ark.cn-beijing.volces.com/api/v3",
    apiKeyRequired: true,
    suggestedModels: ["doubao-seed-1-6-250615", "doubao-1-5-pro-32k-250115", "doubao-1-5-lite-32k-250115"],
    hint: "Use an Ark API key; the model is the model ID or your endpoint ID (ep-…).",
  },
  qwen: {
    label: "Qwen (DashScope compatible mode)",
    kind: "openai_compatible",
    defaultBaseUrl: "https://dashscope.aliyuncs.com/compatible-mode/v1",
    apiKeyRequired: true,
    suggestedModels: ["qwen-plus", "qwen-turbo", "qwen-max"],
    hint: "Use a DashScope API key (Model Studio console).",
  },
  deepseek: {
    label: "DeepSeek",
    kind: "openai_compatible",
    defaultBaseUrl: "https://api.deepseek.com/v1",
    apiKeyRequired: true,
    suggestedModels: ["deepseek-chat", "deepseek-reasoner"],
    hint: "API keys are at platform.deepseek.com.",
  },
  vllm: {
    label: "vLLM",
    kind: "openai_compatible",
    defaultBaseUrl: "http://localhost:8000/v1",
    apiKeyRequired: false,
    suggestedModels: [],
    hint: "The model name is what vLLM was started with (--served-model-name). For a local address, an admin adds its host:port in Settings → Network.",
  },
  ollama: {
    label: "Ollama",
    kind: "openai_compatible",
    defaultBaseUrl: "http://localhost:11434/v1",
    apiKeyRequired: false,
    suggestedModels: ["llama3.2", "qwen2.5", "mistral"],
    hint: "Ollama's OpenAI-compatible endpoint; for a local address, an admin adds its host:port in Settings → Network.",
  },
  ollama_native: {
    label: "Ollama (native API)",
    kind: "ollama",
    defaultBaseUrl: "http://localhost:11434",
    apiKeyRequired: false,
    suggestedModels: ["llama3.2", "qwen2.5", "mistral"],
    hint: "Ollama's own /api/chat (tool calls, JSON format, token counts). For a local address, an admin adds its host:port in Settings → Network.",
  },
  custom: {
    label: "Custom (OpenAI-compatible)",
    kind: "openai_compatible",
    defaultBaseUrl: "",
    apiKeyRequired: false,
    suggestedModels: [],
    hint: "Any endpoint that speaks the OpenAI Chat Completions API.",
  },
} as const satisfies Record<ProviderPresetId, ProviderPreset>;

export function isProviderPresetId(value: string): value is ProviderPresetId {
  return (PROVIDER_PRESET_IDS as readonly string[]).includes(value);
}

export function isProviderKind(value: string): value is ProviderKind {
  return (PROVIDER_KINDS as readonly string[]).includes(value);
}
