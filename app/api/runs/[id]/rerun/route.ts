import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { RerunFromSchema, rerunFrom } from "@/lib/runs/rerun";

/**
 * Re-runs a finished run from one node `{ nodeId }` as a new run reusing upstream steps →
 * 201 { runId, reusedSteps }; 404 for another workspace's run, 409 while the run is not finished.
 */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const member = await authenticate(request, "editor");
  if (member instanceof Response) return member;
  const body = await parseJson(request, RerunFromSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return handle(async () => NextResponse.json(await rerunFrom(member, id, body.nodeId, body), { status: 201 }));
}
