import { NextResponse } from "next/server";
import { MAX_GRAPH_BODY_BYTES, parseJson, withMember } from "@/lib/auth/http";
import { CreateWorkflowSchema, createWorkflow, listWorkflows } from "@/lib/workflows/service";

export const GET = withMember("workflow.read", async (_request, member) => NextResponse.json({ workflows: await listWorkflows(member) }));

export const POST = withMember("workflow.create", async (request, member) => {
  const body = await parseJson(request, CreateWorkflowSchema, MAX_GRAPH_BODY_BYTES);
  if (body instanceof Response) return body;
  return NextResponse.json(await createWorkflow(member, body), { status: 201 });
});
