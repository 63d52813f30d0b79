import { NextResponse } from "next/server";
import { authenticate } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { getRunSnapshot } from "@/lib/runs/service";

export async function GET(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const member = await authenticate(request);
  if (member instanceof Response) return member;
  const { id } = await params;
  return handle(async () => NextResponse.json(await getRunSnapshot(member, id)));
}
