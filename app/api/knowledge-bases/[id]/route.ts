import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { UpdateKnowledgeBaseSchema, deleteKnowledgeBase, getKnowledgeBase, updateKnowledgeBase } from "@/lib/knowledge/service";

type Params = { params: Promise<{ id: string }> };

export const GET = withMember("knowledge.read", async (_request, member, { params }: Params) => NextResponse.json(await getKnowledgeBase(member, (await params).id)));

/** Renames or re-describes a knowledge base. */
export const PATCH = withMember("knowledge.manage", async (request, member, { params }: Params) => {
  const body = await parseJson(request, UpdateKnowledgeBaseSchema);
  if (body instanceof Response) return body;
  return NextResponse.json(await updateKnowledgeBase(member, (await params).id, body));
});

/** Deletes the knowledge base with its documents, chunks and files → 204. */
export const DELETE = withMember("knowledge.manage", async (_request, member, { params }: Params) => {
  await deleteKnowledgeBase(member, (await params).id);
  return new Response(null, { status: 204 });
});
