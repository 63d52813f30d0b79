import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { ResumeRunSchema, resumeRun } from "@/lib/runs/rerun";

/**
 * Resumes a failed or cancelled run as a new run that reuses its steps → 201 { runId, reusedSteps };
 * 404 for another workspace's run, 409 when the run did not fail or was not cancelled.
 */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const member = await authenticate(request, "editor");
  if (member instanceof Response) return member;
  const body = await parseJson(request, ResumeRunSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return handle(async () => NextResponse.json(await resumeRun(member, id, body), { status: 201 }));
}
