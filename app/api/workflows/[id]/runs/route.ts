import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { StartRunSchema, startRun } from "@/lib/runs/service";

/** Test-run the workflow's draft with the given Start inputs → 201 { runId }. */
export const POST = withMember("run.start", async (request, member, { params }: { params: Promise<{ id: string }> }) => {
  const body = await parseJson(request, StartRunSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return NextResponse.json(await startRun(member, id, body), { status: 201 });
});
