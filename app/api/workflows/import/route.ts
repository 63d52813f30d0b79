import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { ImportWorkflowSchema } from "@/lib/workflows/schemas";
import { importWorkflow } from "@/lib/workflows/transfer";

/** POST /api/workflows/import { file, name? }: 201 { id, name }; 400 with `issues` (bad file) or `problems` (invalid graph). */
export async function POST(request: Request) {
  const member = await authenticate(request, "editor");
  if (member instanceof Response) return member;
  const body = await parseJson(request, ImportWorkflowSchema);
  if (body instanceof Response) return body;
  return handle(async () => NextResponse.json(await importWorkflow(member, body), { status: 201 }));
}
