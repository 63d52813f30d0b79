import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { SaveGraphSchema, saveGraph } from "@/lib/workflows/service";

/** Autosave target of the editor: { graph, revision } → { revision }, 409 on a stale revision. */
export async function PUT(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const member = await authenticate(request, "editor");
  if (member instanceof Response) return member;
  const body = await parseJson(request, SaveGraphSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return handle(async () => NextResponse.json(await saveGraph(member, id, body)));
}
