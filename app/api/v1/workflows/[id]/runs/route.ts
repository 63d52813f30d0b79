import { withApiKey } from "@/lib/api/route";
import { runEventStream } from "@/lib/api/run-stream";
import { DEFAULT_SYNC_TIMEOUT_MS, StartRunRequestSchema } from "@/lib/api/schemas";
import { waitForRunEnd } from "@/lib/api/wait";
import { startPublishedRun } from "@/lib/api/workflows";
import { parseJson } from "@/lib/auth/http";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

/**
 * POST /api/v1/workflows/:id/runs: runs the latest published version (or `version`).
 * async → 202 { runId, status }; sync → 200 with the finished run, or 202 when it is still going
 * after timeoutMs; stream → Server-Sent Events of the run (see lib/api/run-stream.ts).
 */
export const POST = withApiKey("run.start", async (request, caller, { params }: Context) => {
  const body = await parseJson(request, StartRunRequestSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  const { runId } = await startPublishedRun(caller, id, body.inputs, body.version);
  const location = { Location: `/api/v1/runs/${runId}` };
  if (body.mode === "stream") {
    return runEventStream({ workspaceId: caller.workspaceId, runId, signal: request.signal, headers: { ...location, "X-Weft-Run-Id": runId } });
  }
  if (body.mode === "sync") {
    const run = await waitForRunEnd(caller.workspaceId, runId, body.timeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS, request.signal);
    if (run && ["succeeded", "failed", "cancelled"].includes(run.status)) return Response.json(run, { status: 200, headers: location });
    return Response.json({ runId, status: run?.status ?? "queued" }, { status: 202, headers: location });
  }
  return Response.json({ runId, status: "queued" }, { status: 202, headers: location });
});
