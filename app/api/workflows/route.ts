import { NextResponse } from "next/server";
import { authenticate, handle, parseBody } from "@/lib/http/route";
import { CreateWorkflowSchema, createWorkflow, listWorkflows } from "@/lib/workflows/service";

export async function GET() {
  const member = await authenticate();
  if (member instanceof NextResponse) return member;
  return handle(async () => NextResponse.json({ workflows: await listWorkflows(member) }));
}

export async function POST(request: Request) {
  const member = await authenticate("editor");
  if (member instanceof NextResponse) return member;
  const body = await parseBody(request, CreateWorkflowSchema);
  if (body instanceof NextResponse) return body;
  return handle(async () => NextResponse.json(await createWorkflow(member, body), { status: 201 }));
}
