import { Validator } from "@cfworker/json-schema";
import { NodeError } from "@/lib/engine/errors";

/** Parsing and checking of a model's JSON answer (LLM node outputFormat "json"). */

function clip(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

/** The JSON inside an answer: the whole text, or the contents of a ``` / ```json fence. */
export function extractJsonText(answer: string): string {
  const trimmed = answer.trim();
  const whole = /^```[A-Za-z]*\s*\n?([\s\S]*?)\n?\s*```$/.exec(trimmed);
  if (whole?.[1] !== undefined) return whole[1].trim();
  const inner = /```(?:json|JSON)?\s*\n([\s\S]*?)\n\s*```/.exec(trimmed);
  if (inner?.[1] !== undefined) {
    try {
      JSON.parse(trimmed);
    } catch {
      return inner[1].trim();
    }
  }
  return trimmed;
}

export function parseJsonAnswer(answer: string): Record<string, unknown> {
  const text = extractJsonText(answer);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new NodeError("output_invalid", `The model's answer is not valid JSON (${(error as Error).message}). It began: "${clip(text)}"`, { cause: error });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new NodeError("output_invalid", `The model's answer is JSON but not an object (got ${Array.isArray(value) ? "an array" : value === null ? "null" : typeof value}).`);
  }
  return value as Record<string, unknown>;
}

// Wrapper keywords whose errors only repeat a more specific one below them.
const WRAPPERS = new Set(["properties", "items", "prefixItems", "$ref", "allOf", "patternProperties", "dependentSchemas", "unevaluatedProperties"]);

function location(instanceLocation: string): string {
  const path = instanceLocation.replace(/^#\/?/, "").replace(/\//g, ".");
  return path || "(root)";
}

/** Validates against a JSON Schema given as text; throws output_invalid listing what is wrong. */
export function validateJsonAnswer(value: Record<string, unknown>, schemaText: string): void {
  if (!schemaText.trim()) return;
  let schema: unknown;
  try {
    schema = JSON.parse(schemaText);
  } catch {
    throw new NodeError("invalid_input", "The node's JSON schema is not valid JSON.");
  }
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    throw new NodeError("invalid_input", "The node's JSON schema must be a JSON object.");
  }
  let result: ReturnType<Validator["validate"]>;
  try {
    result = new Validator(schema as Record<string, unknown>, "2020-12", false).validate(value);
  } catch (error) {
    throw new NodeError("invalid_input", `The node's JSON schema cannot be used: ${(error as Error).message}`, { cause: error });
  }
  if (result.valid) return;
  const specific = result.errors.filter((e) => !WRAPPERS.has(e.keyword));
  const shown = (specific.length ? specific : result.errors).slice(0, 5).map((e) => `${location(e.instanceLocation)}: ${e.error}`);
  const more = (specific.length || result.errors.length) > shown.length ? ` (and ${(specific.length || result.errors.length) - shown.length} more)` : "";
  throw new NodeError("output_invalid", `The model's JSON does not match the schema: ${shown.join("; ")}${more}`);
}
