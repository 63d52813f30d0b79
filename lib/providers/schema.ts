import { z } from "zod";
import { PROVIDER_PRESET_IDS, PROVIDER_PRESETS } from "@/lib/models/provider-kinds";

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

export const CreateProviderSchema = z
  .object({
    name: ProviderNameSchema,
    preset: z.enum(PROVIDER_PRESET_IDS),
    baseUrl: BaseUrlSchema,
    apiKey: ApiKeySchema.optional(),
    models: ModelListSchema,
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
