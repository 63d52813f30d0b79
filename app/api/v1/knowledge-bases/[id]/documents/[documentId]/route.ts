import { withApiKey } from "@/lib/api/route";
import { getDocument, removeDocument } from "@/lib/knowledge/document-service";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string; documentId: string }> };

/** GET: the document's ingestion status, progress counts and error (poll it for progress). */
export const GET = withApiKey("knowledge.read", async (_request, caller, { params }: Params) => {
  const { id, documentId } = await params;
  return Response.json(await getDocument(caller.member, id, documentId));
});

/** DELETE: the document goes, its chunks leave retrieval at once → 204. */
export const DELETE = withApiKey("knowledge.edit", async (_request, caller, { params }: Params) => {
  const { id, documentId } = await params;
  await removeDocument(caller.member, id, documentId);
  return new Response(null, { status: 204 });
});
