import { NextResponse } from "next/server";
import { jsonError, withMember } from "@/lib/auth/http";
import { ListChunksSchema, listChunks } from "@/lib/knowledge/chunk-service";

type Params = { params: Promise<{ id: string; documentId: string }> };

/** The document's chunks in order, `?q=` to search their text, `?offset=&limit=` to page → { chunks, total, offset, limit }. */
export const GET = withMember("knowledge.read", async (request, member, { params }: Params) => {
  const { id, documentId } = await params;
  const query = ListChunksSchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return jsonError(400, "invalid_request", "The chunk list query is invalid.", { issues: query.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) });
  return NextResponse.json(await listChunks(member, id, documentId, query.data));
});
