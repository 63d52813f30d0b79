import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { RenameWorkflowSchema, deleteWorkflow, getWorkflow, renameWorkflow } from "@/lib/workflows/service";

type Params = { params: Promise<{ id: string }> };

export async function GET(request: Request, { params }: Params) {
  const member = await authenticate(request);
  if (member instanceof Response) return member;
  const { id } = await params;
  return handle(async () => NextResponse.json(await getWorkflow(member, id)));
}

export async function PATCH(request: Request, { params }: Params) {
  const member = await authenticate(request, "editor");
  if (member instanceof Response) return member;
  const body = await parseJson(request, RenameWorkflowSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return handle(async () => {
    await renameWorkflow(member, id, body);
    return NextResponse.json({ ok: true });
  });
}

export async function DELETE(request: Request, { params }: Params) {
  const member = await authenticate(request, "editor");
  if (member instanceof Response) return member;
  const { id } = await params;
  return handle(async () => {
    await deleteWorkflow(member, id);
    return new NextResponse(null, { status: 204 });
  });
}
