import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { ApiCaller } from "@/lib/api-keys/authenticate";
import { withApiKey } from "@/lib/api/route";
import { runEventStream } from "@/lib/api/run-stream";
import { DEFAULT_SYNC_TIMEOUT_MS, StartRunRequestSchema, TERMINAL_RUN_STATUSES } from "@/lib/api/schemas";
import { waitForRunEnd, watchRunEnd } from "@/lib/api/wait";
import { latestVersionWithKey, startPublishedRun, type FoundVersion } from "@/lib/api/workflows";
import { parseJson } from "@/lib/auth/http";
import { flushEarlierCommits } from "@/lib/runs/run-insert";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };
type StartRunRequest = z.infer<typeof StartRunRequestSchema>;

type Latest = () => Promise<FoundVersion>;

/**
 * POST /api/v1/workflows/:id/runs: runs the latest published version (or `version`).
 * async → 202 { runId, status }; sync → 200 with the finished run, or 202 when it is still going
 * after timeoutMs; stream → Server-Sent Events of the run (see lib/api/run-stream.ts).
 * The latest version is read in the key's own statement (latestVersionWithKey).
 */
export const POST = withApiKey<Context, FoundVersion>(
  "run.start",
  async (request, caller, { params }: Context, latest) => {
    const body = await parseJson(request, StartRunRequestSchema);
    if (body instanceof Response) return body;
    const { id } = await params;
    if (body.mode === "sync") return runSync(request, caller, id, body, latest);
    const { runId } = await startPublishedRun(caller, id, body.inputs, body.version, { latest });
    const location = { Location: `/api/v1/runs/${runId}` };
    if (body.mode === "stream") {
      return runEventStream({ workspaceId: caller.workspaceId, runId, client: request, headers: { ...location, "X-Weft-Run-Id": runId } });
    }
    return Response.json({ runId, status: "queued" }, { status: 202, headers: location });
  },
  (params) => latestVersionWithKey(String(params.id)),
);

/**
 * sync: the run's id is chosen here and its end watched (on the process's shared subscriber)
 * before the run exists, so no event can be missed and nothing is read while it runs; the
 * finished run comes with its end message (built by the run's final statement), or is read once
 * when it did not. The run is inserted without waiting for the disk: the answer comes after its
 * durable end, or after a flush when it outlasts the timeout.
 */
async function runSync(request: Request, caller: ApiCaller, workflowId: string, body: StartRunRequest, latest?: Latest): Promise<Response> {
  const runId = randomUUID();
  const watch = await watchRunEnd(runId);
  try {
    await startPublishedRun(caller, workflowId, body.inputs, body.version, { runId, latest, answersAfterEnd: true });
  } catch (error) {
    watch.close();
    throw error;
  }
  const run = await waitForRunEnd(caller.workspaceId, runId, body.timeoutMs ?? DEFAULT_SYNC_TIMEOUT_MS, request.signal, watch);
  const location = { Location: `/api/v1/runs/${runId}` };
  if (run && TERMINAL_RUN_STATUSES.includes(run.status)) return Response.json(run, { status: 200, headers: location });
  // Told of a run that has not ended: its row, inserted unflushed, must be on disk first.
  await flushEarlierCommits();
  return Response.json({ runId, status: run?.status ?? "queued" }, { status: 202, headers: location });
}
