import { NextResponse } from "next/server";
import { withMember } from "@/lib/auth/http";
import { getRunSnapshot } from "@/lib/runs/service";

export const GET = withMember("run.read", async (_request, member, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  return NextResponse.json(await getRunSnapshot(member, id));
});
