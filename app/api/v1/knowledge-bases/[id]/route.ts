import { withApiKey } from "@/lib/api/route";
import { parseJson } from "@/lib/auth/http";
import { UpdateKnowledgeBaseSchema, deleteKnowledgeBase, getKnowledgeBase, updateKnowledgeBase } from "@/lib/knowledge/service";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

/** GET /api/v1/knowledge-bases/{id}: one knowledge base with its settings, document count and any re-index under way. */
export const GET = withApiKey("knowledge.read", async (_request, caller, { params }: Params) => Response.json(await getKnowledgeBase(caller.member, (await params).id)));

/**
 * PATCH: rename, re-describe, and/or change the embedding model or chunking — which starts a
 * re-index (`reindex` in the answer); the current index serves queries until it is complete.
 */
export const PATCH = withApiKey("knowledge.manage", async (request, caller, { params }: Params) => {
  const body = await parseJson(request, UpdateKnowledgeBaseSchema);
  if (body instanceof Response) return body;
  return Response.json(await updateKnowledgeBase(caller.member, (await params).id, body));
});

/** DELETE: the knowledge base with its documents, chunks and files → 204. */
export const DELETE = withApiKey("knowledge.manage", async (_request, caller, { params }: Params) => {
  await deleteKnowledgeBase(caller.member, (await params).id);
  return new Response(null, { status: 204 });
});
