import { z } from "zod";
import { defineNode } from "@/lib/engine/node-kit";
import { memoryShape } from "../memory";

export const LlmConfigSchema = z.object({
  providerId: z.string().default(""),
  model: z.string().default(""),
  systemPrompt: z.string().max(100_000).default(""),
  userPrompt: z.string().max(100_000).default(""),
  temperature: z.number().min(0).max(2).default(0.7),
  maxTokens: z.number().int().min(1).max(200_000).optional(),
  /** "json" asks the model for a JSON object and publishes the parsed value as `json`. */
  outputFormat: z.enum(["text", "json"]).default("text"),
  /** Optional JSON Schema (as text) the JSON output must satisfy; its properties feed the variable picker. */
  jsonSchema: z.string().max(50_000).default(""),
  /** Earlier turns of a conversation sent to the model (lib/nodes/memory.ts). */
  ...memoryShape,
});
export type LlmConfig = z.infer<typeof LlmConfigSchema>;

/** Top-level properties of a JSON Schema given as text, or [] when it is absent or unreadable. */
export function jsonSchemaProperties(schemaText: string): { name: string; type: string }[] {
  if (!schemaText.trim()) return [];
  try {
    const schema = JSON.parse(schemaText) as { properties?: Record<string, { type?: unknown }> };
    return Object.entries(schema.properties ?? {}).map(([name, prop]) => ({
      name,
      type: typeof prop?.type === "string" ? prop.type : "any",
    }));
  } catch {
    return [];
  }
}

export const llmNode = defineNode({
  type: "llm",
  label: "LLM",
  description: "Calls a language model with a system and user prompt.",
  category: "ai",
  color: "#db2777",
  configSchema: LlmConfigSchema,
  defaultConfig: () => ({
    providerId: "",
    model: "",
    systemPrompt: "You are a helpful assistant.",
    userPrompt: "",
    temperature: 0.7,
    outputFormat: "text" as const,
    jsonSchema: "",
  }),
  hasInput: true,
  outputHandles: () => [{ id: "out", label: "" }],
  outputFields: (config) => [
    { name: "text", type: "string" as const, description: "The model's answer" },
    ...(config.outputFormat === "json" ? [{ name: "json", type: "object" as const, description: "The parsed JSON answer" }] : []),
    { name: "usage", type: "object" as const, description: "Token usage" },
  ],
  templates: (config) => [config.systemPrompt, config.userPrompt],
  check: (config) => {
    const problems: string[] = [];
    if (!config.providerId) problems.push("Choose a model provider.");
    if (!config.model) problems.push("Choose a model.");
    if (!config.userPrompt.trim()) problems.push("The user prompt is empty.");
    if (config.jsonSchema.trim()) {
      try {
        const parsed: unknown = JSON.parse(config.jsonSchema);
        if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) problems.push("The JSON schema must be a JSON object.");
      } catch {
        problems.push("The JSON schema is not valid JSON.");
      }
    }
    return problems;
  },
});
