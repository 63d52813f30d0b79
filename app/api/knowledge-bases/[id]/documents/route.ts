import { NextResponse } from "next/server";
import { withMember } from "@/lib/auth/http";
import { listDocuments } from "@/lib/knowledge/document-service";
import { addDocumentFromRequest } from "@/lib/knowledge/requests";

type Params = { params: Promise<{ id: string }> };

export const GET = withMember("knowledge.read", async (_request, member, { params }: Params) => NextResponse.json({ documents: await listDocuments(member, (await params).id) }));

/**
 * Adds one document → 201 (queued, or failed with the reason: unsupported type, too large). Either
 * the file as the raw body (streamed to storage): its name in `?name=`, its type in Content-Type,
 * optional `?metadata={"department":"HR"}`; several files are several requests. Or a JSON body:
 * `{ name, text }` for pasted text, `{ url, name? }` for a page or file the worker fetches.
 */
export const POST = withMember("knowledge.edit", async (request, member, { params }: Params) => addDocumentFromRequest(member, (await params).id, request));
