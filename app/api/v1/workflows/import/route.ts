import { ImportWorkflowRequestSchema } from "@/lib/api/schemas";
import { withApiKey } from "@/lib/api/route";
import { MAX_GRAPH_BODY_BYTES, parseJson } from "@/lib/auth/http";
import { importWorkflow } from "@/lib/workflows/transfer";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/workflows/import: a workflow file becomes a new draft (201 { id, name }); nothing runs.
 * Needs the workflows:write scope, and the key's creator must still be allowed workflow.create (editor or above).
 */
export const POST = withApiKey("workflow.create", async (request, caller) => {
  const body = await parseJson(request, ImportWorkflowRequestSchema, MAX_GRAPH_BODY_BYTES);
  if (body instanceof Response) return body;
  return Response.json(await importWorkflow(caller.member, body), { status: 201 });
});
