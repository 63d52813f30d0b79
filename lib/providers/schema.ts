import { z } from "zod";
import { ModelAliasNameSchema, type ModelTarget, ModelTargetSchema } from "@/lib/models/model-ref";
import { PROVIDER_PRESET_IDS, PROVIDER_PRESETS } from "@/lib/models/provider-kinds";
import { ProviderLimitsSchema, type ProviderLimits } from "@/lib/limits/schema";

/**
 * Input schemas for model providers, shared by the service, the route handlers and the form.
 * Isomorphic: no server imports.
 */

export const ProviderNameSchema = z.string().trim().min(1, "Name is required").max(80, "Name is at most 80 characters");

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

export const BaseUrlSchema = z
  .string()
  .trim()
  .refine(isHttpUrl, "Base URL must be a full http(s) URL such as https://api.openai.com/v1")
  // Trailing slashes would give //chat/completions on some servers.
  .transform((value) => value.replace(/\/+$/, ""));

export const ModelListSchema = z
  .array(z.string().trim().min(1, "Model names cannot be empty").max(200))
  .min(1, "Add at least one model")
  .max(200, "At most 200 models")
  .transform((models) => [...new Set(models)]);

const ApiKeySchema = z.string().trim().max(4096, "The API key is too long");

const Price = z.number().min(0, "Prices cannot be negative").max(100_000, "Price per million tokens is at most 100000");
const TokenCount = z.number().int().min(1).max(100_000_000);

export const ModelCapabilitiesSchema = z.object({
  tools: z.boolean().default(true),
  json: z.boolean().default(false),
  vision: z.boolean().default(false),
  streaming: z.boolean().default(true),
});

/** What Weft knows about one model of a provider; prices per million tokens. */
export const ModelInfoSchema = z.object({
  contextWindow: TokenCount.optional(),
  maxOutputTokens: TokenCount.optional(),
  capabilities: ModelCapabilitiesSchema.default({ tools: true, json: false, vision: false, streaming: true }),
  inputPrice: Price.optional(),
  outputPrice: Price.optional(),
  currency: z
    .string()
    .trim()
    .toUpperCase()
    .regex(/^[A-Z]{3}$/, "Currency is a three-letter ISO code such as USD")
    .default("USD"),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;
export type ModelInfoInput = z.input<typeof ModelInfoSchema>;

/** ModelProvider.modelInfo: model name -> info. */
export const ModelInfoMapSchema = z.record(z.string().min(1).max(200), ModelInfoSchema);
export type ModelInfoMap = z.infer<typeof ModelInfoMapSchema>;

/** Reads a stored modelInfo column; entries that do not parse are left out (treated as unknown). */
export function readModelInfoMap(value: unknown): ModelInfoMap {
  if (!value || typeof value !== "object" || Array.isArray(value)) return {};
  const out: ModelInfoMap = {};
  for (const [name, raw] of Object.entries(value)) {
    const parsed = ModelInfoSchema.safeParse(raw);
    if (parsed.success) out[name] = parsed.data;
  }
  return out;
}

export const CreateProviderSchema = z
  .object({
    name: ProviderNameSchema,
    preset: z.enum(PROVIDER_PRESET_IDS),
    baseUrl: BaseUrlSchema,
    apiKey: ApiKeySchema.optional(),
    models: ModelListSchema,
    /** Omitted models get the known defaults (lib/models/known-models.ts). */
    modelInfo: ModelInfoMapSchema.optional(),
    /** Requests/tokens per minute and concurrent calls, shared by all workers; omitted = none. */
    limits: ProviderLimitsSchema.optional(),
  })
  .superRefine((input, ctx) => {
    if (PROVIDER_PRESETS[input.preset].apiKeyRequired && !input.apiKey) {
      ctx.addIssue({ code: "custom", path: ["apiKey"], message: `${PROVIDER_PRESETS[input.preset].label} needs an API key.` });
    }
  });
export type CreateProviderInput = z.input<typeof CreateProviderSchema>;

/** Every field optional. `apiKey`: omitted or "" keeps the stored key, a string replaces it, null removes it. */
export const UpdateProviderSchema = z.object({
  name: ProviderNameSchema.optional(),
  preset: z.enum(PROVIDER_PRESET_IDS).optional(),
  baseUrl: BaseUrlSchema.optional(),
  apiKey: ApiKeySchema.nullable().optional(),
  models: ModelListSchema.optional(),
  /** Replaces the whole map (entries for models the provider does not list are dropped). */
  modelInfo: ModelInfoMapSchema.optional(),
  /** Replaces the limits ({} removes them all). */
  limits: ProviderLimitsSchema.optional(),
});
export type UpdateProviderInput = z.input<typeof UpdateProviderSchema>;

export const TestProviderSchema = z.object({
  /** Model to try; defaults to the provider's first model. */
  model: z.string().trim().min(1).max(200).optional(),
});
export type TestProviderInput = z.input<typeof TestProviderSchema>;

/** What callers (routes, pages, the editor's model picker) see. Never the key or its ciphertext. */
export interface ProviderView {
  id: string;
  name: string;
  kind: string;
  preset: string;
  baseUrl: string;
  models: string[];
  /** Per-model metadata, for every listed model that has any. */
  modelInfo: ModelInfoMap;
  /** Rate limits shared by all workers (lib/limits). */
  limits: ProviderLimits;
  hasApiKey: boolean;
  /** Last four characters of the key, for "••••abcd"; null when there is none (or it is too short to hint safely). */
  apiKeyHint: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface ProviderTestResult {
  ok: boolean;
  /** On failure: the classified provider error, in the provider's own words. */
  message: string;
  latencyMs: number;
  model: string;
  code?: string;
}

// ---------- model aliases ----------

const AliasTargetsSchema = z.array(ModelTargetSchema).min(1, "Add at least one model").max(10, "At most 10 models per alias");

export const CreateModelAliasSchema = z.object({
  name: ModelAliasNameSchema,
  description: z.string().trim().max(200).default(""),
  /** Tried in order: the first answers unless it is rate limited, failing (5xx) or too slow. */
  targets: AliasTargetsSchema,
});
export type CreateModelAliasInput = z.input<typeof CreateModelAliasSchema>;

export const UpdateModelAliasSchema = z.object({
  name: ModelAliasNameSchema.optional(),
  description: z.string().trim().max(200).optional(),
  targets: AliasTargetsSchema.optional(),
});
export type UpdateModelAliasInput = z.input<typeof UpdateModelAliasSchema>;

export interface ModelAliasView {
  id: string;
  name: string;
  description: string;
  targets: ModelTarget[];
  createdAt: string;
  updatedAt: string;
}
