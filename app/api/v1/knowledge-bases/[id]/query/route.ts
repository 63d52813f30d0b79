import { withApiKey } from "@/lib/api/route";
import { queryFromRequest } from "@/lib/knowledge/requests";

export const dynamic = "force-dynamic";

/** POST /api/v1/knowledge-bases/{id}/query: retrieval (mode, topK, scoreThreshold, filter) with citations. */
export const POST = withApiKey("knowledge.read", async (request, caller, { params }: { params: Promise<{ id: string }> }) => queryFromRequest(caller.member, (await params).id, request));
