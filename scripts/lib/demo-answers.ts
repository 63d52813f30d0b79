import type { ChatCompletionRequest, ScriptedReply } from "../../tests/fixtures/openai-server";

/**
 * How the offline demo model (scripts/demo-model.ts) answers structured-output requests, so the
 * Classifier and the Parameter extractor succeed without a real provider: a forced tool call gets
 * arguments built from the tool's JSON Schema, a JSON-mode request naming classes gets one of
 * them (the one sharing the most words with the text), a JSON-mode request carrying a JSON Schema
 * gets an object of that shape. Values come from the text ("order number: 123", the first number,
 * …) or are left null: the point is a valid answer, not a smart one. Anything else: undefined,
 * and the server's echo applies.
 */

type Schema = { type?: unknown; properties?: Record<string, Schema>; description?: unknown };

const words = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]{3,}/gu) ?? []);

function contentOf(message: { content?: unknown } | undefined): string {
  const content = message?.content;
  if (typeof content === "string") return content;
  if (Array.isArray(content)) return content.map((part) => (part && typeof part === "object" && "text" in part ? String(part.text) : "")).join(" ");
  return "";
}

const lastOf = (body: ChatCompletionRequest, role: string) => contentOf([...(body.messages ?? [])].reverse().find((m) => m.role === role));
const firstOf = (body: ChatCompletionRequest, role: string) => contentOf((body.messages ?? []).find((m) => m.role === role));

/** What follows "name:", "name is" or "name =" in the text (to the end of its line), for a field called `name` ("order_id" also as "order id"). */
function labelled(text: string, field: string): string | undefined {
  const label = field.replace(/[_-]+/g, "[ _-]?");
  const match = new RegExp(`\\b${label}\\b\\s*(?:[:=]|\\bis\\b)\\s*([^\\n]+)`, "i").exec(text);
  return match?.[1]?.trim() || undefined;
}

/** The first phrase of a labelled value: up to a comma, semicolon or the end of a sentence. */
const phrase = (value: string) => value.split(/[,;]|\.(?:\s|$)/)[0]!.trim();

function valueFor(field: string, schema: Schema, text: string): unknown {
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== "null") : schema.type;
  const found = labelled(text, field);
  const required = typeof schema.description === "string" && schema.description.startsWith("(required)");
  switch (type) {
    case "number":
    case "integer": {
      const number = /[-+]?\d+(?:\.\d+)?/.exec(found ?? text)?.[0];
      return number === undefined ? null : Number(number);
    }
    case "boolean":
      return found === undefined ? null : /^(yes|true|y)\b/i.test(found);
    case "array":
      return found === undefined ? [] : phrase(found).split(/\s+and\s+|\s*\/\s*/).map((s) => s.trim()).filter(Boolean);
    case "object":
      return {};
    default:
      return found !== undefined ? phrase(found) : required ? text.trim().slice(0, 120) : null;
  }
}

/** An object with a value (or null) for each property of a JSON Schema object. */
export function objectFor(schema: Schema, text: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(schema.properties ?? {}).map(([name, property]) => [name, valueFor(name, property, text)]));
}

/** The class ids a classifier's system prompt offers, in order, with the text describing each. */
function classesOf(system: string): { id: string; about: string }[] | null {
  const offered = /\{"class": <one of ([^>]+)>/.exec(system)?.[1];
  if (!offered) return null;
  let ids: unknown;
  try {
    ids = JSON.parse(`[${offered}]`);
  } catch {
    return null;
  }
  if (!Array.isArray(ids) || ids.length === 0) return null;
  return ids.map((id) => {
    const line = system.split("\n").find((l) => l.startsWith(`- ${String(id)}: `));
    return { id: String(id), about: line ?? String(id) };
  });
}

/** The class sharing the most words with the text (the first on a tie). */
export function pickClass(classes: readonly { id: string; about: string }[], text: string): { id: string; shared: string[] } {
  const said = words(text);
  let best = { id: classes[0].id, shared: [] as string[] };
  for (const option of classes) {
    const shared = [...words(option.about)].filter((w) => said.has(w));
    if (shared.length > best.shared.length) best = { id: option.id, shared };
  }
  return best;
}

function jsonSchemaIn(system: string): Schema | null {
  const marker = system.indexOf("matching this JSON Schema:");
  if (marker < 0) return null;
  const line = system.slice(marker).split("\n")[1];
  try {
    const schema = JSON.parse(line ?? "") as Schema;
    return schema && typeof schema === "object" ? schema : null;
  } catch {
    return null;
  }
}

type Tool = { type?: string; function?: { name?: string; parameters?: Schema } };

export function demoReply(body: ChatCompletionRequest): ScriptedReply | undefined {
  const text = lastOf(body, "user");
  const tools = (body.tools ?? []) as Tool[];
  const forced = body.tool_choice === "required" || (typeof body.tool_choice === "object" && body.tool_choice !== null);
  // Only a forced call (structured output through a tool) is answered with one; agents choose freely and get the echo.
  if (forced && tools[0]?.function?.name) {
    const tool = tools[0].function;
    return { toolCalls: [{ name: tool.name!, arguments: objectFor(tool.parameters ?? {}, text) }] };
  }
  if (body.response_format?.type !== "json_object" && body.response_format?.type !== "json_schema") return undefined;
  const system = firstOf(body, "system");
  const classes = classesOf(system);
  if (classes) {
    const choice = pickClass(classes, firstOf(body, "user") || text);
    const reason = choice.shared.length ? `The text mentions ${choice.shared.slice(0, 3).join(", ")}.` : "Nothing in the text points elsewhere (demo model).";
    return { text: JSON.stringify({ class: choice.id, reason }) };
  }
  const schema = jsonSchemaIn(system);
  return schema ? { text: JSON.stringify(objectFor(schema, text)) } : undefined;
}
