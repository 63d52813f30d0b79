import { NextResponse } from "next/server";
import { authenticate } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { cancelRun } from "@/lib/runs/cancel";

/** Cancels a queued or running run: 200 with the new status, 404 for another workspace's run, 409 when already finished. */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const member = await authenticate(request, "editor");
  if (member instanceof Response) return member;
  const { id } = await params;
  return handle(async () => NextResponse.json(await cancelRun(member, id)));
}
