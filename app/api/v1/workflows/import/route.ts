import { keyCreatorMember } from "@/lib/api-keys/authenticate";
import { apiError } from "@/lib/api/errors";
import { ImportWorkflowRequestSchema } from "@/lib/api/schemas";
import { withApiKey } from "@/lib/api/route";
import { parseJson } from "@/lib/auth/http";
import { hasRole } from "@/lib/auth/member";
import { importWorkflow } from "@/lib/workflows/transfer";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/workflows/import: a workflow file becomes a new draft (201 { id, name }); nothing runs.
 * Needs the workflows:write scope, and the key's creator must still be an editor or above.
 */
export const POST = withApiKey("workflows:write", async (request, caller) => {
  const member = await keyCreatorMember(caller);
  if (!member || !hasRole(member.role, "editor")) {
    return apiError(403, "forbidden", "The member who created this API key cannot change workflows in this workspace (editor role or higher needed).");
  }
  const body = await parseJson(request, ImportWorkflowRequestSchema);
  if (body instanceof Response) return body;
  return Response.json(await importWorkflow(member, body), { status: 201 });
});
