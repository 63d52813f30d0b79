import { NextResponse } from "next/server";
import { jsonError, parseJson, withMember } from "@/lib/auth/http";
import { NodeError } from "@/lib/engine/errors";
import { UpdateChunkSchema, deleteChunk, updateChunk } from "@/lib/knowledge/chunk-service";

type Params = { params: Promise<{ id: string; documentId: string; chunkId: string }> };

/** Edits a chunk's text (re-embedded before it is saved) and/or `enabled` (a disabled chunk is never retrieved). */
export const PATCH = withMember("knowledge.edit", async (request, member, { params }: Params) => {
  const { id, documentId, chunkId } = await params;
  const body = await parseJson(request, UpdateChunkSchema);
  if (body instanceof Response) return body;
  try {
    return NextResponse.json(await updateChunk(member, id, documentId, chunkId, body));
  } catch (error) {
    // The embedding model failed: nothing was saved; say so with its own words.
    if (error instanceof NodeError) return jsonError(502, error.code, `The embedding model failed: ${error.message}`);
    throw error;
  }
});

/** Deletes the chunk: it leaves retrieval at once → 204. */
export const DELETE = withMember("knowledge.edit", async (_request, member, { params }: Params) => {
  const { id, documentId, chunkId } = await params;
  await deleteChunk(member, id, documentId, chunkId);
  return new Response(null, { status: 204 });
});
