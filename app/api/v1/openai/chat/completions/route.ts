import { parseJson } from "@/lib/auth/http";
import { completeChat } from "@/lib/api/openai/complete";
import { withOpenAiKey } from "@/lib/api/openai/errors";
import { ChatCompletionRequestSchema } from "@/lib/api/openai/schemas";
import { planChatRun } from "@/lib/api/openai/start";
import { streamChat } from "@/lib/api/openai/stream";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/openai/chat/completions: OpenAI's Chat Completions over a published workflow
 * (`model` = its slug, or `slug@version`). The run records the trigger `openai` and the API key.
 * How messages become Start inputs and the End output the answer: lib/channels/chat-io.ts.
 */
export const POST = withOpenAiKey("run.start", async (request, caller) => {
  const body = await parseJson(request, ChatCompletionRequestSchema);
  if (body instanceof Response) return body;
  const plan = await planChatRun(caller, body);
  if (plan instanceof Response) return plan;
  if (body.stream) return streamChat(request, caller, plan, body.model, body.stream_options?.include_usage === true);
  return completeChat(request, caller, plan, body.model);
});
