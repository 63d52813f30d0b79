import { withApiKey } from "@/lib/api/route";
import { getKnowledgeBase } from "@/lib/knowledge/service";

export const dynamic = "force-dynamic";

/** GET /api/v1/knowledge-bases/{id}: one knowledge base with its settings and document count. */
export const GET = withApiKey("knowledge.read", async (_request, caller, { params }: { params: Promise<{ id: string }> }) => Response.json(await getKnowledgeBase(caller.member, (await params).id)));
