import { NextResponse } from "next/server";
import { withMember } from "@/lib/auth/http";
import { notFound } from "@/lib/services/errors";
import { listRunWaits } from "@/lib/runs/waits";

export const dynamic = "force-dynamic";

/** GET /api/runs/:id/waits: the run's waits (pending first) for the run page and the editor's run panel. */
export const GET = withMember("run.read", async (_request, member, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  const waits = await listRunWaits(member.workspaceId, id);
  if (!waits) throw notFound("Run");
  return NextResponse.json({ waits });
});
