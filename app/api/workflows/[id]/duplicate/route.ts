import { NextResponse } from "next/server";
import { withMember } from "@/lib/auth/http";
import { duplicateWorkflow } from "@/lib/workflows/service";

export const POST = withMember("workflow.create", async (_request, member, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  return NextResponse.json(await duplicateWorkflow(member, id), { status: 201 });
});
