import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { SaveGraphSchema, saveGraph } from "@/lib/workflows/service";

/** Autosave target of the editor: { graph, revision } → { revision }, 409 on a stale revision. */
export const PUT = withMember("workflow.edit", async (request, member, { params }: { params: Promise<{ id: string }> }) => {
  const body = await parseJson(request, SaveGraphSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return NextResponse.json(await saveGraph(member, id, body));
});
