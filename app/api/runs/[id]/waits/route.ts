import { NextResponse } from "next/server";
import { authenticate } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { notFound } from "@/lib/services/errors";
import { listRunWaits } from "@/lib/runs/waits";

export const dynamic = "force-dynamic";

/** GET /api/runs/:id/waits: the run's waits (pending first) for the run page and the editor's run panel. */
export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const member = await authenticate(request);
  if (member instanceof Response) return member;
  const { id } = await params;
  return handle(async () => {
    const waits = await listRunWaits(member.workspaceId, id);
    if (!waits) throw notFound("Run");
    return NextResponse.json({ waits });
  });
}
