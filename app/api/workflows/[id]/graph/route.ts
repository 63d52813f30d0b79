import { NextResponse } from "next/server";
import { MAX_GRAPH_BODY_BYTES, parseJson, withMember } from "@/lib/auth/http";
import { PatchGraphSchema } from "@/lib/workflows/graph-patch";
import { patchGraph } from "@/lib/workflows/patch";
import { SaveGraphSchema, saveGraph } from "@/lib/workflows/service";

/** Autosave target of the editor: { graph, revision } → { revision }, 409 on a stale revision. */
export const PUT = withMember("workflow.edit", async (request, member, { params }: { params: Promise<{ id: string }> }) => {
  const body = await parseJson(request, SaveGraphSchema, MAX_GRAPH_BODY_BYTES);
  if (body instanceof Response) return body;
  const { id } = await params;
  return NextResponse.json(await saveGraph(member, id, body));
});

/**
 * Autosave of a large graph: { revision, patch } (lib/workflows/graph-patch.ts) → { revision };
 * 409 on a stale revision, 400 when the patch does not fit the saved graph or the result is invalid.
 */
export const PATCH = withMember("workflow.edit", async (request, member, { params }: { params: Promise<{ id: string }> }) => {
  const body = await parseJson(request, PatchGraphSchema, MAX_GRAPH_BODY_BYTES);
  if (body instanceof Response) return body;
  const { id } = await params;
  return NextResponse.json(await patchGraph(member, id, body));
});
