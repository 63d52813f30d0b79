import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { duplicateWorkflow } from "@/lib/workflows/service";

export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const member = await authenticate(request, "editor");
  if (member instanceof Response) return member;
  const { id } = await params;
  return handle(async () => NextResponse.json(await duplicateWorkflow(member, id), { status: 201 }));
}
