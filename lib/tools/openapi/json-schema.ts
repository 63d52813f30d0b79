import { isObject, refName, type Json, type LocalRefs } from "./refs";

const MAX_SCHEMA_DEPTH = 12;
const DROPPED = new Set(["nullable", "discriminator", "xml", "externalDocs", "example", "examples", "x-nullable"]);

interface Walk {
  refs?: LocalRefs;
  /** References being expanded on the current path: meeting one again is a cycle. */
  stack: string[];
}

/**
 * An OpenAPI (3.0 or Swagger) schema as JSON Schema 2020-12, bounded in depth. Local references are
 * expanded as they are met (when `refs` is given); a reference met again inside its own expansion,
 * an external one, or one left over is described and accepts anything.
 */
export function toJsonSchema(schema: unknown, refs?: LocalRefs, depth = 0): Json {
  return convert(schema, { refs, stack: [] }, depth);
}

function convertRef(ref: string, walk: Walk, depth: number): Json {
  if (!walk.refs || walk.stack.includes(ref)) return { description: `Recursive structure (${refName(ref)})` };
  const target = walk.refs.target(ref);
  if (target === undefined) return { description: `Unresolved reference (${ref.startsWith("#") ? refName(ref) : "external, not fetched"})` };
  walk.stack.push(ref);
  try {
    return convert(target, walk, depth);
  } finally {
    walk.stack.pop();
  }
}

function convert(schema: unknown, walk: Walk, depth: number): Json {
  if (!isObject(schema)) return {};
  if (depth > MAX_SCHEMA_DEPTH) return { description: "(nested too deep to describe)" };
  if (typeof schema.$ref === "string") return convertRef(schema.$ref, walk, depth);
  const out: Json = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED.has(key) || key.startsWith("x-")) continue;
    switch (key) {
      case "type":
        out.type = value === "file" ? "string" : value;
        break;
      case "properties":
      case "patternProperties":
        if (isObject(value)) out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, convert(sub, walk, depth + 1)]));
        break;
      case "items":
      case "additionalProperties":
      case "not":
        out[key] = typeof value === "boolean" ? value : convert(value, walk, depth + 1);
        break;
      case "allOf":
      case "anyOf":
      case "oneOf":
        if (Array.isArray(value)) out[key] = value.map((sub) => convert(sub, walk, depth + 1));
        break;
      default:
        out[key] = value;
    }
  }
  if ((schema.nullable === true || schema["x-nullable"] === true) && typeof out.type === "string") out.type = [out.type, "null"];
  return out;
}
