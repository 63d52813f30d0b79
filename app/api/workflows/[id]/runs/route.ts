import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { StartRunSchema, startRun } from "@/lib/runs/service";

/** Test-run the workflow's draft with the given Start inputs → 201 { runId }. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const member = await authenticate(request, "editor");
  if (member instanceof Response) return member;
  const body = await parseJson(request, StartRunSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return handle(async () => NextResponse.json(await startRun(member, id, body), { status: 201 }));
}
