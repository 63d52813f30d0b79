import { NextResponse } from "next/server";
import { MAX_GRAPH_BODY_BYTES, parseJson, withMember } from "@/lib/auth/http";
import { ImportWorkflowSchema } from "@/lib/workflows/schemas";
import { importWorkflow } from "@/lib/workflows/transfer";

/** POST /api/workflows/import { file, name? }: 201 { id, name }; 400 with `issues` (bad file) or `problems` (invalid graph). */
export const POST = withMember("workflow.create", async (request, member) => {
  const body = await parseJson(request, ImportWorkflowSchema, MAX_GRAPH_BODY_BYTES);
  if (body instanceof Response) return body;
  return NextResponse.json(await importWorkflow(member, body), { status: 201 });
});
