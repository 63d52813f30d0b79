import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { RenameWorkflowSchema, deleteWorkflow, getWorkflow, renameWorkflow } from "@/lib/workflows/service";

type Params = { params: Promise<{ id: string }> };

export const GET = withMember("workflow.read", async (_request, member, { params }: Params) => {
  const { id } = await params;
  return NextResponse.json(await getWorkflow(member, id));
});

export const PATCH = withMember("workflow.edit", async (request, member, { params }: Params) => {
  const body = await parseJson(request, RenameWorkflowSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  await renameWorkflow(member, id, body);
  return NextResponse.json({ ok: true });
});

export const DELETE = withMember("workflow.delete", async (_request, member, { params }: Params) => {
  const { id } = await params;
  await deleteWorkflow(member, id);
  return new NextResponse(null, { status: 204 });
});
