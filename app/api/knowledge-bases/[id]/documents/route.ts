import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { NextResponse } from "next/server";
import { jsonError, withMember } from "@/lib/auth/http";
import { DocumentNameSchema, listDocuments, uploadDocument } from "@/lib/knowledge/document-service";
import { MetadataFilterSchema } from "@/lib/knowledge/filter";
import { getKnowledgeBase } from "@/lib/knowledge/service";

type Params = { params: Promise<{ id: string }> };

export const GET = withMember("knowledge.read", async (_request, member, { params }: Params) => NextResponse.json({ documents: await listDocuments(member, (await params).id) }));

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

/**
 * Uploads one file as the raw request body (streamed to storage, never held whole): the file name
 * in `?name=`, its type in Content-Type, optional `?metadata={"department":"HR"}`. Several files
 * are several requests. → 201 with the document (queued, or failed with the reason: unsupported
 * type, too large).
 */
export const POST = withMember("knowledge.edit", async (request, member, { params }: Params) => {
  // Another workspace's id is a 404 before anything about the request is judged.
  const kb = await getKnowledgeBase(member, (await params).id);
  const url = new URL(request.url);
  const name = DocumentNameSchema.safeParse(url.searchParams.get("name") ?? "");
  if (!name.success) return jsonError(400, "invalid_request", "Name the file in the `name` query parameter.", { issues: [{ path: "name", message: name.error.issues[0]!.message }] });
  const metadata = readMetadata(url.searchParams.get("metadata"));
  if (!metadata.ok) return jsonError(400, "invalid_request", "The `metadata` query parameter must be a JSON object of text, number or boolean values.", { issues: [{ path: "metadata", message: "invalid" }] });
  if (!request.body) return jsonError(400, "invalid_request", "The request has no file in its body.", { issues: [] });
  const body = Readable.fromWeb(request.body as unknown as WebReadableStream<Uint8Array>);
  const doc = await uploadDocument(member, kb.id, { name: name.data, mimeType: request.headers.get("content-type"), body, metadata: metadata.value });
  return NextResponse.json(doc, { status: 201 });
});
