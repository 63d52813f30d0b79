import { NodeError } from "@/lib/engine/errors";
import type { NodeContext, NodeResult } from "@/lib/engine/node-kit";
import type { ChatMessage } from "@/lib/engine/ports";
import { extractJsonText } from "@/lib/models/json-answer";
import { ModelCalls, quoteAnswer } from "../model-call";
import { type ClassifierConfig, OTHER_CLASS_ID } from "./definition";

/**
 * The model answers in JSON mode (works with every OpenAI-compatible provider) with
 * `{"class": "<id>", "reason": "…"}`. Models often answer with the class name, a differently
 * named key or a fenced block, so the answer is read leniently; an answer that names no class
 * gets one corrective turn, and a second bad answer fails the step with `output_invalid`.
 */

interface Choice {
  id: string;
  label: string;
}

function choices(config: ClassifierConfig): Choice[] {
  return [
    ...config.classes.map((c) => ({ id: c.id, label: c.name.trim() || c.id })),
    ...(config.fallback ? [{ id: OTHER_CLASS_ID, label: "Other" }] : []),
  ];
}

function answerFormat(config: ClassifierConfig): string {
  const ids = choices(config).map((c) => JSON.stringify(c.id)).join(", ");
  return `Reply with a single JSON object only: {"class": <one of ${ids}>, "reason": "<one short sentence>"}`;
}

function systemPrompt(config: ClassifierConfig, instructions: string): string {
  const lines = config.classes.map((c) => `- ${c.id}: ${c.name.trim()}${c.description.trim() ? ` — ${c.description.trim()}` : ""}`);
  if (config.fallback) lines.push(`- ${OTHER_CLASS_ID}: none of the classes above fits`);
  return [
    "You classify the user's text into exactly one of the classes below.",
    instructions,
    `Classes (id: name — what belongs there):\n${lines.join("\n")}`,
    answerFormat(config),
  ]
    .filter(Boolean)
    .join("\n\n");
}

const CLASS_KEYS = ["class", "class_id", "classId", "id", "category", "label", "name"] as const;

/** The class an answer names, or why it names none. */
export function readClassAnswer(text: string, config: ClassifierConfig): { choice: Choice; reason: string } | { problem: string } {
  const options = choices(config);
  let candidate: unknown = undefined;
  let reason = "";
  const json = extractJsonText(text);
  try {
    const value: unknown = JSON.parse(json);
    if (typeof value === "string") candidate = value;
    else if (value && typeof value === "object" && !Array.isArray(value)) {
      const record = value as Record<string, unknown>;
      candidate = CLASS_KEYS.map((key) => record[key]).find((v) => typeof v === "string");
      if (typeof record.reason === "string") reason = record.reason;
    }
  } catch {
    // A bare word ("billing") or a sentence: try it as a class id or name below.
    candidate = json.replace(/^["'`]|["'`.]$/g, "");
  }
  if (typeof candidate !== "string" || !candidate.trim()) return { problem: `the answer ${quoteAnswer(text)} names no class` };
  const wanted = candidate.trim().toLowerCase();
  const choice =
    options.find((o) => o.id === candidate) ??
    options.find((o) => o.id.toLowerCase() === wanted) ??
    options.find((o) => o.label.toLowerCase() === wanted) ??
    (config.fallback && (wanted === "none" || wanted === "other") ? options[options.length - 1] : undefined);
  if (!choice) return { problem: `${quoteAnswer(candidate)} is not one of the classes` };
  return { choice, reason: reason.trim() };
}

export async function executeClassifier(ctx: NodeContext<ClassifierConfig>): Promise<NodeResult> {
  const { config } = ctx;
  if (config.classes.length === 0) throw new NodeError("invalid_input", "The classifier has no classes.");
  const text = await ctx.render(config.input);
  const instructions = (await ctx.render(config.instructions)).trim();
  const messages: ChatMessage[] = [
    { role: "system", content: systemPrompt(config, instructions) },
    { role: "user", content: text },
  ];
  const calls = new ModelCalls(ctx);
  let model = config.model;
  let finishReason: string | null = null;
  const detail = () => ({ model, messages: [...messages], finishReason, temperature: config.temperature, modelCalls: calls.count, ...calls.totals() });

  let problem = "";
  for (let attempt = 0; attempt < 2; attempt++) {
    if (attempt > 0) messages.push({ role: "user", content: `That answer cannot be used: ${problem}. ${answerFormat(config)}` });
    const response = await calls.send(messages, { json: true }, () => ({ input: { text }, detail: detail() }));
    model = response.model;
    finishReason = response.finishReason ?? null;
    messages.push({ role: "assistant", content: response.text });
    const read = readClassAnswer(response.text, config);
    if ("choice" in read) {
      return {
        output: { class: read.choice.id, label: read.choice.label, reason: read.reason },
        branch: read.choice.id,
        input: { text },
        detail: detail(),
        usage: calls.usage,
      };
    }
    problem = read.problem;
  }
  throw new NodeError("output_invalid", `The model did not choose one of the classes, even when asked again: ${problem}.`, {
    trace: { input: { text }, detail: detail(), usage: calls.usage },
  });
}
