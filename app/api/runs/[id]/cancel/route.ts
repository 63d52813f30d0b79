import { NextResponse } from "next/server";
import { withMember } from "@/lib/auth/http";
import { cancelRun } from "@/lib/runs/cancel";

/** Cancels a queued or running run: 200 with the new status, 404 for another workspace's run, 409 when already finished. */
export const POST = withMember("run.cancel", async (_request, member, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  return NextResponse.json(await cancelRun(member, id));
});
