import { apiError } from "@/lib/api/errors";
import { withApiKey } from "@/lib/api/route";
import { getRunView } from "@/lib/api/runs";

export const dynamic = "force-dynamic";

/** GET /api/v1/runs/:id: the run with its steps. */
export const GET = withApiKey("run.read", async (_request, caller, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  const run = await getRunView(caller.workspaceId, id);
  return run ? Response.json(run) : apiError(404, "not_found", "Run not found.");
});
