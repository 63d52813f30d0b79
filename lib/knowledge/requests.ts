import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import type { Member } from "@/lib/auth/member";
import { jsonError, parseJson } from "@/lib/auth/http";
import { db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import { AddDocumentJsonSchema, DocumentNameSchema, addTextDocument, addUrlDocument, reuploadDocument, uploadDocument } from "./document-service";
import { MetadataFilterSchema } from "./filter";
import { KnowledgeQuerySchema, retrieve } from "./retrieve";
import { getKnowledgeBase } from "./service";

/**
 * The HTTP side of knowledge-base documents and queries, shared by the studio routes
 * (app/api/knowledge-bases) and the public API (app/api/v1/knowledge-bases): both answer in the
 * same `{ error: { code, message, issues } }` shape, so one reading of a request serves both.
 */

/** `metadata` query parameter: a JSON object of tags. */
function readMetadata(text: string | null) {
  if (!text) return { ok: true as const, value: undefined };
  try {
    const parsed = MetadataFilterSchema.safeParse(JSON.parse(text));
    return parsed.success ? { ok: true as const, value: parsed.data } : { ok: false as const };
  } catch {
    return { ok: false as const };
  }
}

/** A raw file body: name in `?name=`, type in Content-Type, optional `?metadata=`; streamed to storage. */
async function uploadFromRequest(member: Member, knowledgeBaseId: string, request: Request, url: URL) {
  const name = DocumentNameSchema.safeParse(url.searchParams.get("name") ?? "");
  if (!name.success) return jsonError(400, "invalid_request", "Name the file in the `name` query parameter.", { issues: [{ path: "name", message: name.error.issues[0]!.message }] });
  const metadata = readMetadata(url.searchParams.get("metadata"));
  if (!metadata.ok) return jsonError(400, "invalid_request", "The `metadata` query parameter must be a JSON object of text, number or boolean values.", { issues: [{ path: "metadata", message: "invalid" }] });
  if (!request.body) return jsonError(400, "invalid_request", "The request has no file in its body.", { issues: [] });
  const body = Readable.fromWeb(request.body as unknown as WebReadableStream<Uint8Array>);
  const doc = await uploadDocument(member, knowledgeBaseId, { name: name.data, mimeType: request.headers.get("content-type"), body, metadata: metadata.value });
  return Response.json(doc, { status: 201 });
}

/** A new version of a document's file: the raw body, streamed to storage. */
export async function reuploadFromRequest(member: Member, knowledgeBaseId: string, documentId: string, request: Request): Promise<Response> {
  if (!request.body) return jsonError(400, "invalid_request", "The request has no file in its body.", { issues: [] });
  const body = Readable.fromWeb(request.body as unknown as WebReadableStream<Uint8Array>);
  return Response.json(await reuploadDocument(member, knowledgeBaseId, documentId, body));
}

/**
 * Adds one document from a request → 201 with the document (queued, or failed with the reason).
 * With `?name=` the body is the file itself; otherwise a JSON body `{ name, text }` (pasted text)
 * or `{ url, name? }` (fetched by the worker).
 */
export async function addDocumentFromRequest(member: Member, knowledgeBaseId: string, request: Request): Promise<Response> {
  // Another workspace's id is a 404 before anything about the request is judged.
  const kb = await getKnowledgeBase(member, knowledgeBaseId);
  const url = new URL(request.url);
  const isJson = /^application\/json\b/i.test(request.headers.get("content-type") ?? "");
  if (url.searchParams.has("name") || !isJson) return uploadFromRequest(member, kb.id, request, url);
  const body = await parseJson(request, AddDocumentJsonSchema);
  if (body instanceof Response) return body;
  const doc = "url" in body ? await addUrlDocument(member, kb.id, body) : await addTextDocument(member, kb.id, body);
  return Response.json(doc, { status: 201 });
}

/** Retrieval on one knowledge base: ranked chunks with scores and sources, and the citation context. */
export async function queryFromRequest(member: Member, knowledgeBaseId: string, request: Request): Promise<Response> {
  const body = await parseJson(request, KnowledgeQuerySchema);
  if (body instanceof Response) return body;
  const kb = await getKnowledgeBase(member, knowledgeBaseId);
  try {
    return Response.json(await retrieve({ db: db() }, member.workspaceId, { ...body, knowledgeBaseIds: [kb.id] }));
  } catch (error) {
    // The embedding model failed (down, rate-limited, key rejected): say so with its own words.
    if (error instanceof NodeError) return jsonError(502, error.code, `The embedding model failed: ${error.message}`);
    throw error;
  }
}
