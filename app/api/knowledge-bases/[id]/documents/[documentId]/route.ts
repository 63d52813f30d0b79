import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { reuploadFromRequest } from "@/lib/knowledge/requests";
import { UpdateDocumentSchema, getDocument, removeDocument, updateDocument } from "@/lib/knowledge/document-service";

type Params = { params: Promise<{ id: string; documentId: string }> };

/** One document with its ingestion status, progress counts and error (poll it for progress). */
export const GET = withMember("knowledge.read", async (_request, member, { params }: Params) => {
  const { id, documentId } = await params;
  return NextResponse.json(await getDocument(member, id, documentId));
});

/** Renames the document or replaces its tags `{ name?, metadata? }` (retrieval filters on the new tags at once). */
export const PATCH = withMember("knowledge.edit", async (request, member, { params }: Params) => {
  const { id, documentId } = await params;
  const body = await parseJson(request, UpdateDocumentSchema);
  if (body instanceof Response) return body;
  return NextResponse.json(await updateDocument(member, id, documentId, body));
});

/**
 * A new version of the document's file as the raw body (streamed to storage) → 200 with the
 * document, queued again. Only chunks whose text changed are embedded again.
 */
export const PUT = withMember("knowledge.edit", async (request, member, { params }: Params) => {
  const { id, documentId } = await params;
  return reuploadFromRequest(member, id, documentId, request);
});

/** Deletes the document; its chunks leave retrieval at once → 204. */
export const DELETE = withMember("knowledge.edit", async (_request, member, { params }: Params) => {
  const { id, documentId } = await params;
  await removeDocument(member, id, documentId);
  return new Response(null, { status: 204 });
});
