import { z } from "zod";
import { defineNode, type ValueType } from "@/lib/engine/node-kit";
import { RESERVED_ANSWER_FIELDS, WaitTimeoutSchema } from "../wait-kit";

export const QUESTION_FIELD_TYPES = ["string", "number", "boolean", "select"] as const;
export type QuestionFieldType = (typeof QUESTION_FIELD_TYPES)[number];

const FieldValueSchema = z.union([z.string().max(10_000), z.number(), z.boolean()]);

export const QuestionFieldSchema = z.object({
  name: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/, "field names are letters, digits and _, starting with a letter"),
  label: z.string().max(200).default(""),
  type: z.enum(QUESTION_FIELD_TYPES).default("string"),
  required: z.boolean().default(true),
  /** The choices of a `select` field. */
  options: z.array(z.string().min(1).max(200)).max(100).default([]),
  /** Pre-filled in the form; the value used when the question times out (null: none). */
  default: FieldValueSchema.nullable().default(null),
  description: z.string().max(500).default(""),
  /**
   * A required field that may stay empty when this yes/no field is ticked (an MCP server's question:
   * its fields are required to accept, not to decline; lib/tools/mcp/elicitation.ts).
   */
  requiredUnless: z.string().max(64).optional(),
});
export type QuestionField = z.infer<typeof QuestionFieldSchema>;

export const QuestionConfigSchema = z.object({
  title: z.string().max(500).default(""),
  /** A template rendered with the run's data when the node is reached. */
  prompt: z.string().max(20_000),
  fields: z.array(QuestionFieldSchema).min(1).max(30),
  /** null: wait until answered (or the run is cancelled); on timeout every field takes its default. */
  timeout: WaitTimeoutSchema.nullable().default(null),
});
export type QuestionConfig = z.infer<typeof QuestionConfigSchema>;

/** What the person is asked (`RunWait.request` of kind question). */
export const QuestionRequestSchema = z.object({
  title: z.string(),
  prompt: z.string(),
  fields: z.array(QuestionFieldSchema),
  /** Whether the wait has a timeout (the defaults then apply). */
  hasTimeout: z.boolean(),
});
export type QuestionRequest = z.infer<typeof QuestionRequestSchema>;

function fieldSchema(field: QuestionField): z.ZodType {
  switch (field.type) {
    case "string": {
      const text = z.string().max(10_000);
      // A required text must say something; whitespace alone is no answer.
      return field.required ? text.refine((v) => v.trim() !== "", "This field is required.") : text;
    }
    case "number":
      return z.number().finite();
    case "boolean":
      return z.boolean();
    case "select":
      return field.options.length > 0 ? z.enum(field.options as [string, ...string[]]) : z.never();
  }
}

/**
 * The zod schema of an answer to these fields, built from the field list: each field typed,
 * required ones present, nothing else allowed. Used by the answer service (400 on failure) and the forms.
 */
export function questionAnswerSchema(fields: readonly QuestionField[]) {
  const shape: Record<string, z.ZodType> = {};
  const conditional = fields.filter((field) => field.required && field.requiredUnless);
  for (const field of fields) {
    const schema = fieldSchema(field);
    shape[field.name] = field.required && !field.requiredUnless ? schema : schema.nullish();
  }
  return z.strictObject(shape).superRefine((answer, ctx) => {
    for (const field of conditional) {
      if (answer[field.requiredUnless!] === true) continue;
      const value = answer[field.name];
      if (value === undefined || value === null || (typeof value === "string" && value.trim() === "")) {
        ctx.addIssue({ code: "custom", path: [field.name], message: "This field is required." });
      }
    }
  });
}

/** The outputs a validated answer (or a timeout) gives: every field present, absent ones as their default or null. */
export function questionValues(fields: readonly QuestionField[], answer: Record<string, unknown> | null): Record<string, unknown> {
  return Object.fromEntries(fields.map((f) => [f.name, answer?.[f.name] ?? f.default ?? null]));
}

const OUTPUT_TYPE: Record<QuestionFieldType, ValueType> = { string: "string", number: "number", boolean: "boolean", select: "string" };

function defaultProblem(field: QuestionField): string | null {
  if (field.default === null) return null;
  const expected = field.type === "select" ? "string" : field.type;
  if (typeof field.default !== expected) return `Field "${field.name}": the default must be a ${expected}.`;
  if (field.type === "select" && !field.options.includes(field.default as string)) return `Field "${field.name}": the default is not one of the options.`;
  return null;
}

export const questionNode = defineNode({
  type: "question",
  label: "Question",
  description: "Pauses the run to ask a person for typed input (text, number, yes/no, a choice); optional timeout with defaults.",
  category: "logic",
  color: "#a16207",
  configSchema: QuestionConfigSchema,
  defaultConfig: () => ({
    title: "",
    prompt: "",
    fields: [{ name: "answer", label: "Answer", type: "string" as const, required: true, options: [], default: null, description: "" }],
    timeout: null,
  }),
  hasInput: true,
  outputHandles: () => [{ id: "out", label: "" }],
  outputFields: (config) => [
    ...config.fields.map((f) => ({ name: f.name, type: OUTPUT_TYPE[f.type], description: f.label || undefined })),
    { name: "answeredBy", type: "string" as const, description: "Who answered (null on timeout)" },
    { name: "answeredAt", type: "string" as const, description: "When (ISO time)" },
    { name: "timedOut", type: "boolean" as const, description: "Whether the defaults were used because nobody answered in time" },
  ],
  templates: (config) => [config.title, config.prompt],
  check: (config) => {
    const problems: string[] = [];
    if (!config.prompt.trim()) problems.push("Write the question to ask.");
    const seen = new Set<string>();
    for (const field of config.fields) {
      if (seen.has(field.name)) problems.push(`Field "${field.name}" is declared twice.`);
      seen.add(field.name);
      if ((RESERVED_ANSWER_FIELDS as readonly string[]).includes(field.name)) problems.push(`"${field.name}" is reserved; rename the field.`);
      if (field.type === "select" && field.options.length === 0) problems.push(`Field "${field.name}": a choice needs at least one option.`);
      const bad = defaultProblem(field);
      if (bad) problems.push(bad);
    }
    return problems;
  },
});
