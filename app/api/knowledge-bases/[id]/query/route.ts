import { withMember } from "@/lib/auth/http";
import { queryFromRequest } from "@/lib/knowledge/requests";

/** Test retrieval on one knowledge base: ranked chunks with scores and sources, and the citation context. */
export const POST = withMember("knowledge.read", async (request, member, { params }: { params: Promise<{ id: string }> }) => queryFromRequest(member, (await params).id, request));
