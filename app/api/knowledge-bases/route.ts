import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { CreateKnowledgeBaseSchema, createKnowledgeBase, listKnowledgeBases } from "@/lib/knowledge/service";

/** The workspace's knowledge bases with their document counts. */
export const GET = withMember("knowledge.read", async (_request, member) => NextResponse.json({ knowledgeBases: await listKnowledgeBases(member) }));

/** Creates a knowledge base → 201; the embedding model is asked once for its vector length. */
export const POST = withMember("knowledge.manage", async (request, member) => {
  const body = await parseJson(request, CreateKnowledgeBaseSchema);
  if (body instanceof Response) return body;
  return NextResponse.json(await createKnowledgeBase(member, body), { status: 201 });
});
