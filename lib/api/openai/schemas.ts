import { z } from "zod";
import { MAX_INT32 } from "@/lib/engine/limits";
import { WorkflowSlugSchema } from "@/lib/workflows/schemas";
import { apiSchemas } from "../schemas";

/**
 * The subset of OpenAI's Chat Completions request the endpoint reads. Other fields OpenAI clients
 * send (temperature, max_tokens, user, …) are accepted and ignored: the workflow decides its models
 * and settings. Only text content is taken; image or audio parts are refused.
 */

const TextPartSchema = z.looseObject({ type: z.literal("text"), text: z.string().max(1_000_000) });

export const ChatMessageSchema = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: z
    .union([z.string().max(1_000_000), z.array(TextPartSchema).max(100)])
    .nullish()
    .describe("Text, or text parts (other part types are not supported)"),
  name: z.string().max(200).optional(),
});
export type ChatMessage = z.infer<typeof ChatMessageSchema>;

export const ChatCompletionRequestSchema = z
  .looseObject({
    model: z.string().min(1).max(200).describe("A published workflow's slug, optionally pinned to a version: `slug@3`"),
    messages: z.array(ChatMessageSchema).min(1, "messages must not be empty").max(1000),
    stream: z.boolean().nullish(),
    stream_options: z.looseObject({ include_usage: z.boolean().optional() }).nullish(),
  })
  .register(apiSchemas, { id: "ChatCompletionRequest" });
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequestSchema>;

export const OpenAiUsageSchema = z.object({ prompt_tokens: z.number().int(), completion_tokens: z.number().int(), total_tokens: z.number().int() });
export type OpenAiUsage = z.infer<typeof OpenAiUsageSchema>;

export const ChatCompletionSchema = z
  .object({
    id: z.string(),
    object: z.literal("chat.completion"),
    created: z.number().int(),
    model: z.string(),
    choices: z.array(
      z.object({
        index: z.number().int(),
        message: z.object({ role: z.literal("assistant"), content: z.string(), refusal: z.null() }),
        finish_reason: z.literal("stop"),
        logprobs: z.null(),
      }),
    ),
    usage: OpenAiUsageSchema,
  })
  .register(apiSchemas, { id: "ChatCompletion" });
export type ChatCompletion = z.infer<typeof ChatCompletionSchema>;

export const OpenAiModelSchema = z
  .object({ id: z.string(), object: z.literal("model"), created: z.number().int(), owned_by: z.string() })
  .register(apiSchemas, { id: "OpenAiModel" });
export type OpenAiModel = z.infer<typeof OpenAiModelSchema>;
export const OpenAiModelListSchema = z.object({ object: z.literal("list"), data: z.array(OpenAiModelSchema) }).register(apiSchemas, { id: "OpenAiModelList" });

export const OpenAiErrorSchema = z
  .object({ error: z.object({ message: z.string(), type: z.string(), param: z.string().nullable(), code: z.string().nullable() }) })
  .register(apiSchemas, { id: "OpenAiError" });

/** `slug` or `slug@version`; null when it cannot name a workflow (then the model is unknown). */
export function parseModel(model: string): { slug: string; version?: number } | null {
  const at = model.lastIndexOf("@");
  const slug = WorkflowSlugSchema.safeParse(at < 0 ? model : model.slice(0, at));
  if (!slug.success) return null;
  if (at < 0) return { slug: slug.data };
  const version = Number(model.slice(at + 1));
  return Number.isInteger(version) && version >= 1 && version <= MAX_INT32 && /^\d+$/.test(model.slice(at + 1)) ? { slug: slug.data, version } : null;
}

/** A message's text: a string as is, text parts joined. */
export const messageText = (message: ChatMessage): string =>
  typeof message.content === "string" ? message.content : (message.content ?? []).map((part) => part.text).join("");
