import { Validator, type Schema } from "@cfworker/json-schema";
import { TOOL_LIMITS } from "./schema";

/**
 * JSON Schema checks of the tool registry (@cfworker/json-schema, draft 2020-12): whether a
 * tool's input schema is usable as a model's function parameters, and whether a call's input
 * matches it. Compiled validators are cached per schema text.
 */

export interface SchemaProblem {
  path: string;
  message: string;
}

const cache = new Map<string, Validator>();
const CACHE_LIMIT = 500;

function validatorFor(schema: Record<string, unknown>): Validator {
  const key = JSON.stringify(schema);
  let validator = cache.get(key);
  if (!validator) {
    validator = new Validator(schema as Schema, "2020-12", false);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(key, validator);
  }
  return validator;
}

const CONTAINER_KEYWORDS = new Set(["properties", "allOf", "items", "prefixItems", "additionalProperties", "$ref", "anyOf", "oneOf"]);
/** Keywords whose value maps names to schemas (a property may well be called "type"). */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);
const JSON_TYPES = new Set(["string", "number", "integer", "boolean", "object", "array", "null"]);

/** `type` keywords anywhere in the schema that name no JSON type (the validator would silently accept them). */
function badTypes(value: unknown, path: string, out: string[], depth = 0): void {
  if (depth > 40 || out.length > 5 || typeof value !== "object" || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => badTypes(item, `${path}[${i}]`, out, depth + 1));
    return;
  }
  const record = value as Record<string, unknown>;
  const type = record.type;
  const types = Array.isArray(type) ? type : type === undefined ? [] : [type];
  for (const t of types) if (typeof t !== "string" || !JSON_TYPES.has(t)) out.push(`${path || "the root"} has the unknown type ${JSON.stringify(t)}`);
  for (const [key, child] of Object.entries(record)) {
    // Property names and enum/const/default values are data, not schemas.
    if (key === "enum" || key === "const" || key === "default" || key === "examples" || key === "example") continue;
    const at = path ? `${path}.${key}` : key;
    if (SCHEMA_MAPS.has(key) && typeof child === "object" && child !== null) {
      for (const [name, sub] of Object.entries(child)) badTypes(sub, `${at}.${name}`, out, depth + 1);
    } else {
      badTypes(child, at, out, depth + 1);
    }
  }
}

/** Problems that make a schema unusable as a tool input: not an object schema, too large, or not compilable. */
export function inputSchemaProblems(schema: unknown, what = "The input schema"): string[] {
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return [`${what} must be a JSON object.`];
  const size = JSON.stringify(schema).length;
  if (size > TOOL_LIMITS.maxSchemaBytes) return [`${what} is ${size} characters; the limit is ${TOOL_LIMITS.maxSchemaBytes}.`];
  const record = schema as Record<string, unknown>;
  if (record.type !== "object") return [`${what} must have "type": "object" (a tool takes named arguments).`];
  if (record.properties !== undefined && (typeof record.properties !== "object" || record.properties === null || Array.isArray(record.properties))) {
    return [`${what}'s "properties" must be an object.`];
  }
  const types: string[] = [];
  badTypes(record, "", types);
  if (types.length > 0) return types.map((t) => `${what}: ${t}.`);
  try {
    validatorFor(record).validate({});
  } catch (error) {
    return [`${what} is not a valid JSON Schema: ${(error as Error).message}`];
  }
  return [];
}

/** Where `input` breaks `schema`, as short readable lines (empty when it conforms). */
export function validateAgainstSchema(schema: Record<string, unknown>, input: unknown): SchemaProblem[] {
  const result = validatorFor(schema).validate(input);
  if (result.valid) return [];
  const seen = new Set<string>();
  const problems: SchemaProblem[] = [];
  for (const error of result.errors) {
    // cfworker reports the whole keyword chain; the container keywords only repeat their leaves.
    if (CONTAINER_KEYWORDS.has(error.keyword)) continue;
    const path = error.instanceLocation.replace(/^#\/?/, "").replace(/\//g, ".");
    const key = `${path}:${error.error}`;
    if (seen.has(key)) continue;
    seen.add(key);
    problems.push({ path, message: error.error });
  }
  return problems.length > 0 ? problems.slice(0, 20) : [{ path: "", message: result.errors[0]?.error ?? "does not match the schema" }];
}
