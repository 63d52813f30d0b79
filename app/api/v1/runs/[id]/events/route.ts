import { apiError } from "@/lib/api/errors";
import { withApiKey } from "@/lib/api/route";
import { runEventStream } from "@/lib/api/run-stream";
import { db } from "@/lib/db/client";

export const dynamic = "force-dynamic";

/** GET /api/v1/runs/:id/events: Server-Sent Events of a run; honours Last-Event-ID (lib/api/run-stream.ts). */
export const GET = withApiKey("run.read", async (request, caller, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  // 404 before opening a stream for someone else's run.
  const exists = await db().run.count({ where: { id, workspaceId: caller.workspaceId } });
  if (!exists) return apiError(404, "not_found", "Run not found.");
  return runEventStream({ workspaceId: caller.workspaceId, runId: id, lastEventId: request.headers.get("last-event-id"), client: request });
});
