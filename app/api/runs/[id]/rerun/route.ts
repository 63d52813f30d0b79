import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { RerunFromSchema, rerunFrom } from "@/lib/runs/rerun";

/**
 * Re-runs a finished run from one node `{ nodeId }` as a new run reusing upstream steps →
 * 201 { runId, reusedSteps }; 404 for another workspace's run, 409 while the run is not finished.
 */
export const POST = withMember("run.start", async (request, member, { params }: { params: Promise<{ id: string }> }) => {
  const body = await parseJson(request, RerunFromSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return NextResponse.json(await rerunFrom(member, id, body.nodeId, body), { status: 201 });
});
