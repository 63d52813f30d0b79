import { withApiKey } from "@/lib/api/route";
import { parseJson } from "@/lib/auth/http";
import { CreateKnowledgeBaseSchema, createKnowledgeBase, listKnowledgeBases } from "@/lib/knowledge/service";

export const dynamic = "force-dynamic";

/** GET /api/v1/knowledge-bases: the workspace's knowledge bases with their document counts. */
export const GET = withApiKey("knowledge.read", async (_request, caller) => Response.json({ knowledgeBases: await listKnowledgeBases(caller.member) }));

/** POST /api/v1/knowledge-bases: creates one → 201 (the embedding model is asked once for its vector length). */
export const POST = withApiKey("knowledge.manage", async (request, caller) => {
  const body = await parseJson(request, CreateKnowledgeBaseSchema);
  if (body instanceof Response) return body;
  const kb = await createKnowledgeBase(caller.member, body);
  return Response.json(kb, { status: 201, headers: { Location: `/api/v1/knowledge-bases/${kb.id}` } });
});
