import { StartInputSchema, type StartInput } from "@/lib/nodes/start/definition";
import type { FlowDoc } from "./flow";

/** The run dialog's form: one field per Start input, values kept as the form holds them. */
export type RunFormValues = Record<string, string | boolean>;

/** The Start node's inputs that are well-formed enough to ask for (drafts may hold broken rows). */
export function startInputs(doc: FlowDoc): StartInput[] {
  const start = doc.nodes.find((n) => n.data.kind === "start");
  const raw = start?.data.config.inputs;
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((item) => {
    const parsed = StartInputSchema.safeParse(item);
    return parsed.success ? [parsed.data] : [];
  });
}

export const inputLabel = (input: StartInput): string => input.label.trim() || input.name;

export function initialRunValues(inputs: readonly StartInput[], previous: RunFormValues = {}): RunFormValues {
  const values: RunFormValues = {};
  for (const input of inputs) {
    const kept = previous[input.name];
    if (input.type === "boolean") values[input.name] = typeof kept === "boolean" ? kept : false;
    else values[input.name] = typeof kept === "string" ? kept : "";
  }
  return values;
}

export type ParsedRunForm = { ok: true; inputs: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

/** Turns form values into typed inputs, with a message per field that does not fit its type. */
export function parseRunValues(inputs: readonly StartInput[], values: RunFormValues): ParsedRunForm {
  const result: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const input of inputs) {
    const label = inputLabel(input);
    const value = values[input.name];
    if (input.type === "boolean") {
      result[input.name] = value === true;
      continue;
    }
    const text = typeof value === "string" ? value : "";
    if (!text.trim() && input.type !== "string") {
      if (input.required) errors[input.name] = `${label} is required.`;
      continue;
    }
    switch (input.type) {
      case "string":
        if (input.required && !text) errors[input.name] = `${label} is required.`;
        else if (text || input.required) result[input.name] = text;
        break;
      case "number": {
        const number = Number(text.trim());
        if (!Number.isFinite(number)) errors[input.name] = `${label} must be a number.`;
        else result[input.name] = number;
        break;
      }
      case "object":
      case "array": {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          errors[input.name] = `${label} is not valid JSON.`;
          break;
        }
        const isArray = Array.isArray(parsed);
        if (input.type === "array" && !isArray) errors[input.name] = `${label} must be a JSON array.`;
        else if (input.type === "object" && (isArray || parsed === null || typeof parsed !== "object")) errors[input.name] = `${label} must be a JSON object.`;
        else result[input.name] = parsed;
        break;
      }
    }
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, inputs: result };
}
