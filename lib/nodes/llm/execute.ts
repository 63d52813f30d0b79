import { NodeError } from "@/lib/engine/errors";
import type { NodeContext, NodeResult } from "@/lib/engine/node-kit";
import type { ChatMessage, ChatResponse } from "@/lib/engine/ports";
import type { LlmConfig } from "./definition";
import { parseJsonAnswer, validateJsonAnswer } from "@/lib/models/json-answer";
import { isAliasRef } from "@/lib/models/model-ref";
import { addUsage } from "@/lib/engine/usage";
import { memoryContext } from "../memory-summary";
import { addCost } from "../model-call";

/**
 * JSON mode needs the word "JSON" in the prompt for OpenAI-style json_object mode, and models
 * follow a schema far better when they see it, so JSON nodes carry this instruction. It is part
 * of the recorded messages, so the trace shows exactly what the model was sent.
 */
function jsonInstruction(schemaText: string): string {
  const schema = schemaText.trim();
  return schema
    ? `Reply with a single JSON object only, matching this JSON Schema:\n${schema}`
    : "Reply with a single JSON object only.";
}

/** Never waits, so typed as returning a NodeResult (still a NodeExecutor<LlmConfig>). */
export const executeLlm = async (ctx: NodeContext<LlmConfig>): Promise<NodeResult> => {
  const { config } = ctx;
  const json = config.outputFormat === "json";
  const system = (await ctx.render(config.systemPrompt)).trim();
  const user = await ctx.render(config.userPrompt);

  // Summarising history that fell out of memory is a model call of its own (cached per conversation).
  const memory = await memoryContext(ctx);
  const systemText = memory.system(json ? [system, jsonInstruction(config.jsonSchema)].filter(Boolean).join("\n\n") : system);
  const messages: ChatMessage[] = [
    ...(systemText ? [{ role: "system" as const, content: systemText }] : []),
    ...memory.history,
    { role: "user", content: user },
  ];
  const usageWith = (usage: ChatResponse["usage"]) => addUsage(usage, memory.trace?.usage);

  const response = await ctx.services
    .chat({
      providerId: config.providerId,
      model: config.model,
      messages,
      temperature: config.temperature,
      maxTokens: config.maxTokens,
      json,
      signal: ctx.signal,
      onToken: ctx.emitDelta,
      idempotencyKey: ctx.idempotencyKey,
    })
    .catch((error: unknown) => {
      // The prompt that was sent stays on the failed step, so the user sees what the provider refused.
      // An alias's failed attempts (error.trace.detail.attempts) stay on the step too.
      throw error instanceof NodeError ? error.withTrace({ input: messages, detail: { model: config.model, messages, ...error.trace.detail } }) : error;
    });

  const detail = {
    model: response.model,
    // Which provider answered: differs from the config when a model alias fell back.
    providerId: response.providerId ?? config.providerId,
    ...(isAliasRef(config) ? { alias: config.model } : {}),
    ...(response.attempts ? { attempts: response.attempts } : {}),
    messages: [...messages, { role: "assistant", content: response.text }],
    finishReason: response.finishReason ?? null,
    usage: usageWith(response.usage),
    ...(response.cost || memory.trace?.cost ? { cost: addCost(response.cost, memory.trace?.cost) } : {}),
    temperature: config.temperature,
    ...(memory.trace ? { memory: memory.trace } : {}),
  };
  const output: Record<string, unknown> = { text: response.text, usage: response.usage };
  if (json) {
    try {
      const value = parseJsonAnswer(response.text);
      validateJsonAnswer(value, config.jsonSchema);
      output.json = value;
    } catch (error) {
      // The answer and the tokens it cost are kept on the failed step.
      throw error instanceof NodeError ? error.withTrace({ input: messages, detail, usage: usageWith(response.usage) }) : error;
    }
  }

  return {
    output,
    input: messages,
    detail,
    usage: usageWith(response.usage),
  };
};
