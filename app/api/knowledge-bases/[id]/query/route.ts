import { NextResponse } from "next/server";
import { z } from "zod";
import { jsonError, parseJson, withMember } from "@/lib/auth/http";
import { NodeError } from "@/lib/engine/errors";
import { db } from "@/lib/db/client";
import { getKnowledgeBase } from "@/lib/knowledge/service";
import { retrieve, RetrieveInputSchema } from "@/lib/knowledge/retrieve";

const QuerySchema = RetrieveInputSchema.omit({ knowledgeBaseIds: true }).strict();

/** Test retrieval on one knowledge base: ranked chunks with scores and sources, and the citation context. */
export const POST = withMember("knowledge.read", async (request, member, { params }: { params: Promise<{ id: string }> }) => {
  const body = await parseJson(request, QuerySchema);
  if (body instanceof Response) return body;
  const kb = await getKnowledgeBase(member, (await params).id);
  try {
    return NextResponse.json(await retrieve({ db: db() }, member.workspaceId, { ...(body as z.infer<typeof QuerySchema>), knowledgeBaseIds: [kb.id] }));
  } catch (error) {
    // The embedding model failed (down, rate-limited, key rejected): say so with its own words.
    if (error instanceof NodeError) return jsonError(502, error.code, `The embedding model failed: ${error.message}`);
    throw error;
  }
});
