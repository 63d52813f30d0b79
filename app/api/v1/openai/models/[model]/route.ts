import { withOpenAiKey } from "@/lib/api/openai/errors";
import { listModels } from "@/lib/api/openai/models";
import { modelNotFound } from "@/lib/api/openai/start";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ model: string }> };

/** GET /api/v1/openai/models/{model}: one published workflow as an OpenAI model (404 `model_not_found`). */
export const GET = withOpenAiKey("workflow.read", async (_request, caller, { params }: Context) => {
  const { model } = await params;
  const [found] = await listModels(caller, model);
  return found ? Response.json(found) : modelNotFound(model);
});
