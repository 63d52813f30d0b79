import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { AddTextDocumentSchema, addTextDocument } from "@/lib/knowledge/document-service";

/** Adds pasted text as a document → 201 (queued for ingestion). */
export const POST = withMember("knowledge.edit", async (request, member, { params }: { params: Promise<{ id: string }> }) => {
  const body = await parseJson(request, AddTextDocumentSchema);
  if (body instanceof Response) return body;
  return NextResponse.json(await addTextDocument(member, (await params).id, body), { status: 201 });
});
