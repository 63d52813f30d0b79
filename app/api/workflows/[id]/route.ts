import { NextResponse } from "next/server";
import { authenticate, handle, parseBody } from "@/lib/http/route";
import { RenameWorkflowSchema, deleteWorkflow, getWorkflow, renameWorkflow } from "@/lib/workflows/service";

type Params = { params: Promise<{ id: string }> };

export async function GET(_request: Request, { params }: Params) {
  const member = await authenticate();
  if (member instanceof NextResponse) return member;
  const { id } = await params;
  return handle(async () => NextResponse.json(await getWorkflow(member, id)));
}

export async function PATCH(request: Request, { params }: Params) {
  const member = await authenticate("editor");
  if (member instanceof NextResponse) return member;
  const body = await parseBody(request, RenameWorkflowSchema);
  if (body instanceof NextResponse) return body;
  const { id } = await params;
  return handle(async () => {
    await renameWorkflow(member, id, body);
    return NextResponse.json({ ok: true });
  });
}

export async function DELETE(_request: Request, { params }: Params) {
  const member = await authenticate("editor");
  if (member instanceof NextResponse) return member;
  const { id } = await params;
  return handle(async () => {
    await deleteWorkflow(member, id);
    return new NextResponse(null, { status: 204 });
  });
}
