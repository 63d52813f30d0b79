import type { Graph } from "./graph";
import type { ValueType } from "./node-kit";
import type { NodeRegistry } from "./validate";
import { CHAT_INPUTS, conversationOf } from "./conversation";

/**
 * Checks a run's inputs against the Start node's declared inputs. Strict on purpose: the API
 * must send the right JSON types (no "42" for a number), and unknown keys are refused so a typo
 * never silently becomes an empty value.
 */

export interface InputProblem {
  field: string;
  message: string;
}

export type InputCheck = { ok: true; inputs: Record<string, unknown> } | { ok: false; problems: InputProblem[] };

export interface DeclaredInput {
  name: string;
  type: Exclude<ValueType, "any">;
  required: boolean;
}

function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && !Number.isFinite(value)) return "a non-finite number";
  return typeof value;
}

function hasType(value: unknown, type: DeclaredInput["type"]): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
  }
}

const ARTICLE: Record<DeclaredInput["type"], string> = {
  string: "a string",
  number: "a number",
  boolean: "a boolean",
  object: "an object",
  array: "an array",
};

function isDeclaredInput(value: unknown): value is DeclaredInput {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === "string" && typeof v.type === "string" && v.type in ARTICLE && typeof v.required === "boolean";
}

/** The Start node's declared inputs, or null when the graph has no usable Start node. */
export function declaredInputs(graph: Graph, registry: NodeRegistry): DeclaredInput[] | null {
  const start = graph.nodes.find((n) => registry[n.type]?.role === "start");
  if (!start) return null;
  const parsed = registry[start.type]!.configSchema.safeParse(start.data);
  if (!parsed.success) return null;
  const list = (parsed.data as { inputs?: unknown }).inputs;
  const declared = Array.isArray(list) ? list.filter(isDeclaredInput) : [];
  // A conversational workflow's runs also take the message, history and conversation variables.
  return conversationOf(graph, registry) ? [...declared, ...CHAT_INPUTS] : declared;
}

/**
 * Returns the inputs to run with: declared ones only, an absent optional input as null
 * (so `{{ start.x }}` renders empty rather than failing).
 */
export function validateRunInputs(graph: Graph, registry: NodeRegistry, inputs: unknown): InputCheck {
  const declared = declaredInputs(graph, registry);
  if (!declared) return { ok: false, problems: [{ field: "", message: "The workflow has no valid Start node." }] };
  const given = inputs ?? {};
  if (typeof given !== "object" || Array.isArray(given)) {
    return { ok: false, problems: [{ field: "", message: `Inputs must be an object, got ${typeName(given)}.` }] };
  }
  const values = given as Record<string, unknown>;
  const problems: InputProblem[] = [];
  const result: Record<string, unknown> = {};
  const names = new Set(declared.map((d) => d.name));
  for (const key of Object.keys(values)) {
    if (!names.has(key)) problems.push({ field: key, message: `${key} is not an input of this workflow.` });
  }
  for (const input of declared) {
    const value = Object.hasOwn(values, input.name) ? values[input.name] : undefined;
    // An empty text field counts as not given when the input is required.
    const missing = value === undefined || value === null || (input.required && value === "");
    if (missing) {
      if (input.required) problems.push({ field: input.name, message: `${input.name} is required.` });
      else result[input.name] = null;
      continue;
    }
    if (!hasType(value, input.type)) {
      problems.push({ field: input.name, message: `${input.name} must be ${ARTICLE[input.type]}, got ${typeName(value)}.` });
      continue;
    }
    result[input.name] = value;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, inputs: result };
}
