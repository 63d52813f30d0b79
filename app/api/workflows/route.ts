import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { CreateWorkflowSchema, createWorkflow, listWorkflows } from "@/lib/workflows/service";

export async function GET(request: Request) {
  const member = await authenticate(request);
  if (member instanceof Response) return member;
  return handle(async () => NextResponse.json({ workflows: await listWorkflows(member) }));
}

export async function POST(request: Request) {
  const member = await authenticate(request, "editor");
  if (member instanceof Response) return member;
  const body = await parseJson(request, CreateWorkflowSchema);
  if (body instanceof Response) return body;
  return handle(async () => NextResponse.json(await createWorkflow(member, body), { status: 201 }));
}
