import { z } from "zod";
import { defineNode } from "@/lib/engine/node-kit";
import { textTaskProblems, textTaskShape } from "../model-config";

export const EXTRACTOR_FIELD_TYPES = ["string", "number", "boolean", "array", "object"] as const;
export type ExtractorFieldType = (typeof EXTRACTOR_FIELD_TYPES)[number];

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/;

export const ExtractorFieldSchema = z.object({
  name: z.string().regex(NAME, "names are letters, digits and _, starting with a letter"),
  type: z.enum(EXTRACTOR_FIELD_TYPES).default("string"),
  description: z.string().max(2_000).default(""),
  required: z.boolean().default(false),
});
export type ExtractorField = z.infer<typeof ExtractorFieldSchema>;

export const ExtractorConfigSchema = z.object({
  /** `input`: the text the values are taken from. */
  ...textTaskShape,
  fields: z.array(ExtractorFieldSchema).max(50).default([]),
  /** What to do when the model cannot fill a required field: fail the step, or go on and list it in `missing`. */
  onMissing: z.enum(["fail", "continue"]).default("continue"),
});
export type ExtractorConfig = z.infer<typeof ExtractorConfigSchema>;

/** Output names the node publishes itself, so no field may take them. */
export const RESERVED_FIELD_NAMES: ReadonlySet<string> = new Set(["missing"]);

export const extractorNode = defineNode({
  type: "extractor",
  label: "Parameter extractor",
  description: "A model fills typed fields from text (structured output), with the required fields it could not find listed.",
  category: "ai",
  color: "#0f766e",
  configSchema: ExtractorConfigSchema,
  defaultConfig: () => ({
    providerId: "",
    model: "",
    temperature: 0,
    input: "",
    instructions: "",
    fields: [{ name: "name", type: "string" as const, description: "", required: true }],
    onMissing: "continue" as const,
  }),
  hasInput: true,
  outputHandles: () => [{ id: "out", label: "" }],
  outputFields: (config) => [
    ...config.fields.map((f) => ({ name: f.name, type: f.type, description: f.description || undefined })),
    { name: "missing", type: "array" as const, description: "Required fields the model could not fill" },
  ],
  templates: (config) => [config.input, config.instructions],
  check: (config) => {
    const problems = textTaskProblems(config, "The text to extract from is empty.");
    if (config.fields.length === 0) problems.push("Add at least one field to extract.");
    const seen = new Set<string>();
    for (const field of config.fields) {
      if (seen.has(field.name)) problems.push(`Field "${field.name}" is declared twice.`);
      seen.add(field.name);
      if (RESERVED_FIELD_NAMES.has(field.name)) problems.push(`"${field.name}" is an output of the node itself; choose another field name.`);
    }
    return problems;
  },
});
