import { withApiKey } from "@/lib/api/route";
import { cancelRunForApi } from "@/lib/runs/cancel";

export const dynamic = "force-dynamic";

/**
 * POST /api/v1/runs/:id/cancel: cancels a queued, running or waiting run (and its sub-workflow
 * children). 200 `{ runId, status, previousStatus }`; 404 for another workspace's run; 409 when it
 * has already finished (the error's `status` says how).
 */
export const POST = withApiKey("run.cancel", async (_request, caller, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  return Response.json(await cancelRunForApi(caller, id));
});
