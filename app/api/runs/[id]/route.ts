import { NextResponse } from "next/server";
import { authenticate, handle } from "@/lib/http/route";
import { getRunSnapshot } from "@/lib/runs/service";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const member = await authenticate();
  if (member instanceof NextResponse) return member;
  const { id } = await params;
  return handle(async () => NextResponse.json(await getRunSnapshot(member, id)));
}
