import { NodeError } from "@/lib/engine/errors";
import type { NodeContext, NodeResult } from "@/lib/engine/node-kit";
import type { ChatMessage, ChatResponse, ChatToolSpec } from "@/lib/engine/ports";
import { parseJsonAnswer, validateJsonAnswer } from "@/lib/models/json-answer";
import { ModelCalls, quoteAnswer } from "../model-call";
import type { ExtractorConfig, ExtractorField } from "./definition";

/**
 * Structured output in two ways: first a forced call of the tool `extract_parameters` whose
 * parameters are the fields' JSON Schema (the most reliable way with models that call tools);
 * when the model answers without calling it (a provider without tools) or the provider refuses
 * tools, the same request in JSON mode. Values are coerced leniently ("42" → 42 for a number
 * field), then validated with the schema; an invalid answer gets one corrective turn.
 */

export const EXTRACT_TOOL = "extract_parameters";

type Mode = "tool" | "json";

/** The JSON Schema the model is given: every field optional, so it can leave out what the text does not say. */
export function fieldsSchema(fields: readonly ExtractorField[]): Record<string, unknown> {
  return {
    type: "object",
    properties: Object.fromEntries(
      fields.map((f) => [f.name, { type: f.type, ...(f.description.trim() || f.required ? { description: `${f.required ? "(required) " : ""}${f.description.trim()}`.trim() } : {}) }]),
    ),
  };
}

/** The schema answers are checked with: declared types, null allowed for "not found". */
function validationSchema(fields: readonly ExtractorField[]): string {
  return JSON.stringify({ type: "object", properties: Object.fromEntries(fields.map((f) => [f.name, { type: [f.type, "null"] }])) });
}

/** Forgiving conversions for what models commonly write: numbers and booleans as strings, JSON inside strings. */
export function coerceValue(value: unknown, type: ExtractorField["type"]): unknown {
  if (value === undefined || value === null) return null;
  if (typeof value === "string" && type !== "string") {
    const text = value.trim();
    if (text === "" || /^(null|none|n\/a|unknown)$/i.test(text)) return null;
    if (type === "number" && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text.replace(/,/g, ""))) return Number(text.replace(/,/g, ""));
    if (type === "boolean" && /^(true|yes)$/i.test(text)) return true;
    if (type === "boolean" && /^(false|no)$/i.test(text)) return false;
    if ((type === "array" && text.startsWith("[")) || (type === "object" && text.startsWith("{"))) {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        return value;
      }
    }
    return value;
  }
  if (type === "string" && (typeof value === "number" || typeof value === "boolean")) return String(value);
  if (type === "string" && typeof value === "string" && !value.trim()) return null;
  return value;
}

function instructionsFor(mode: Mode, config: ExtractorConfig, instructions: string): string {
  const list = config.fields.map((f) => `- ${f.name} (${f.type}${f.required ? ", required" : ""})${f.description.trim() ? `: ${f.description.trim()}` : ""}`);
  const how =
    mode === "tool"
      ? `Call the ${EXTRACT_TOOL} tool once with the values.`
      : `Reply with a single JSON object only, matching this JSON Schema:\n${JSON.stringify(fieldsSchema(config.fields))}`;
  return [
    "You extract values from the user's text into the fields below.",
    instructions,
    `Fields:\n${list.join("\n")}`,
    "Leave out any field whose value the text does not give; never guess or invent a value.",
    how,
  ]
    .filter(Boolean)
    .join("\n\n");
}

/** Reads and checks one answer: the values by field, or what is wrong with them. */
function readAnswer(mode: Mode, response: ChatResponse, fields: readonly ExtractorField[]): { values: Record<string, unknown> } | { problem: string } {
  let raw: Record<string, unknown>;
  const call = response.toolCalls?.find((c) => c.name === EXTRACT_TOOL);
  if (mode === "tool" && call) raw = call.args;
  else {
    try {
      raw = parseJsonAnswer(response.text);
    } catch (error) {
      return { problem: error instanceof NodeError ? error.message : `the answer ${quoteAnswer(response.text)} is not a JSON object` };
    }
  }
  const values = Object.fromEntries(fields.map((f) => [f.name, coerceValue(raw[f.name], f.type)]));
  try {
    validateJsonAnswer(values, validationSchema(fields));
  } catch (error) {
    if (error instanceof NodeError && error.code === "output_invalid") return { problem: error.message };
    throw error;
  }
  return { values };
}

const isEmpty = (value: unknown) => value === null || value === undefined || (Array.isArray(value) && value.length === 0);

export async function executeExtractor(ctx: NodeContext<ExtractorConfig>): Promise<NodeResult> {
  const { config } = ctx;
  const text = await ctx.render(config.input);
  const instructions = (await ctx.render(config.instructions)).trim();
  const calls = new ModelCalls(ctx);
  const tool: ChatToolSpec = { name: EXTRACT_TOOL, description: "Records the values extracted from the text.", parameters: fieldsSchema(config.fields) };

  let mode: Mode = "tool";
  let messages: ChatMessage[] = [];
  let model = config.model;
  let finishReason: string | null = null;
  const detail = () => ({ model, mode, messages: [...messages], finishReason, temperature: config.temperature, modelCalls: calls.count, ...calls.totals() });
  const trace = () => ({ input: { text }, detail: detail(), usage: calls.usage });
  const start = (next: Mode) => {
    mode = next;
    messages = [
      { role: "system", content: instructionsFor(next, config, instructions) },
      { role: "user", content: text },
    ];
  };
  const ask = async (): Promise<ChatResponse> => {
    const response = await calls.send(messages, mode === "tool" ? { tools: [tool], toolChoice: "required" } : { json: true }, trace);
    model = response.model;
    finishReason = response.finishReason ?? null;
    messages.push({ role: "assistant", content: response.text, ...(response.toolCalls?.length ? { toolCalls: response.toolCalls } : {}) });
    return response;
  };

  start("tool");
  let response = await ask().catch((error: unknown) => {
    // A provider or model that does not take tools refuses the request; JSON mode is the fallback.
    if (error instanceof NodeError && error.code === "provider_bad_request") return undefined;
    throw error;
  });
  // Without the tool call, a JSON answer in the text is as good; anything else: ask again in JSON mode.
  if (!response || (!response.toolCalls?.some((c) => c.name === EXTRACT_TOOL) && "problem" in readAnswer("json", response, config.fields))) {
    start("json");
    response = await ask();
  }

  let read = readAnswer(mode, response, config.fields);
  if ("problem" in read) {
    const fix = `That answer cannot be used: ${read.problem}. Give the values again with the declared types.`;
    const call = response.toolCalls?.find((c) => c.name === EXTRACT_TOOL);
    messages.push(mode === "tool" && call ? { role: "tool", toolCallId: call.id, content: fix } : { role: "user", content: fix });
    response = await ask();
    read = readAnswer(mode, response, config.fields);
    if ("problem" in read) {
      throw new NodeError("output_invalid", `The model's values do not fit the fields, even when asked again: ${read.problem}`, { trace: trace() });
    }
  }

  const missing = config.fields.filter((f) => f.required && isEmpty(read.values[f.name])).map((f) => f.name);
  if (missing.length > 0 && config.onMissing === "fail") {
    throw new NodeError("output_invalid", `The model could not find ${missing.length === 1 ? "the required field" : "the required fields"} ${missing.join(", ")} in the text.`, {
      trace: trace(),
    });
  }
  return { output: { ...read.values, missing }, input: { text }, detail: detail(), usage: calls.usage };
}
