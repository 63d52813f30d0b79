import { NextResponse } from "next/server";
import { withMember } from "@/lib/auth/http";
import { getDocument, removeDocument } from "@/lib/knowledge/document-service";

type Params = { params: Promise<{ id: string; documentId: string }> };

/** One document with its ingestion status, progress counts and error (poll it for progress). */
export const GET = withMember("knowledge.read", async (_request, member, { params }: Params) => {
  const { id, documentId } = await params;
  return NextResponse.json(await getDocument(member, id, documentId));
});

/** Deletes the document; its chunks leave retrieval at once → 204. */
export const DELETE = withMember("knowledge.edit", async (_request, member, { params }: Params) => {
  const { id, documentId } = await params;
  await removeDocument(member, id, documentId);
  return new Response(null, { status: 204 });
});
