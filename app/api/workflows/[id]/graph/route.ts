import { NextResponse } from "next/server";
import { authenticate, handle, parseBody } from "@/lib/http/route";
import { SaveGraphSchema, saveGraph } from "@/lib/workflows/service";

/** Autosave target of the editor: { graph, revision } → { revision }, 409 on a stale revision. */
export async function PUT(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const member = await authenticate("editor");
  if (member instanceof NextResponse) return member;
  const body = await parseBody(request, SaveGraphSchema);
  if (body instanceof NextResponse) return body;
  const { id } = await params;
  return handle(async () => NextResponse.json(await saveGraph(member, id, body)));
}
