import { NextResponse } from "next/server";
import { authenticate, handle } from "@/lib/http/route";
import { duplicateWorkflow } from "@/lib/workflows/service";

export async function POST(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  const member = await authenticate("editor");
  if (member instanceof NextResponse) return member;
  const { id } = await params;
  return handle(async () => NextResponse.json(await duplicateWorkflow(member, id), { status: 201 }));
}
