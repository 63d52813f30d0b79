import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { ResumeRunSchema, resumeRun } from "@/lib/runs/rerun";

/**
 * Resumes a failed or cancelled run as a new run that reuses its steps → 201 { runId, reusedSteps };
 * 404 for another workspace's run, 409 when the run did not fail or was not cancelled.
 */
export const POST = withMember("run.start", async (request, member, { params }: { params: Promise<{ id: string }> }) => {
  const body = await parseJson(request, ResumeRunSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return NextResponse.json(await resumeRun(member, id, body), { status: 201 });
});
