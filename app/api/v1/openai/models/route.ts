import { withOpenAiKey } from "@/lib/api/openai/errors";
import { listModels } from "@/lib/api/openai/models";

export const dynamic = "force-dynamic";

/** GET /api/v1/openai/models: the workspace's published workflows as OpenAI models (id = slug). */
export const GET = withOpenAiKey("workflow.read", async (_request, caller) => Response.json({ object: "list", data: await listModels(caller) }));
