import { withApiKey } from "@/lib/api/route";
import { listDocuments } from "@/lib/knowledge/document-service";
import { addDocumentFromRequest } from "@/lib/knowledge/requests";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ id: string }> };

/** GET /api/v1/knowledge-bases/{id}/documents: its documents with status, progress counts and errors. */
export const GET = withApiKey("knowledge.read", async (_request, caller, { params }: Params) => Response.json({ documents: await listDocuments(caller.member, (await params).id) }));

/** POST /api/v1/knowledge-bases/{id}/documents: a raw file (`?name=`), or JSON `{ name, text }` / `{ url }` → 201. */
export const POST = withApiKey("knowledge.edit", async (request, caller, { params }: Params) => addDocumentFromRequest(caller.member, (await params).id, request));
