import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { PublishSchema, listVersions, publishWorkflow } from "@/lib/workflows/versions";

type Context = { params: Promise<{ id: string }> };

/** The workflow's published versions, newest first → { versions: [{ id, version, note, createdAt, … }] }. */
export async function GET(request: Request, { params }: Context) {
  const member = await authenticate(request);
  if (member instanceof Response) return member;
  const { id } = await params;
  return handle(async () => NextResponse.json({ versions: await listVersions(member, id) }));
}

/** Publishes the current draft as the next immutable version → 201 { id, version, … }; 400 invalid_graph with problems. */
export async function POST(request: Request, { params }: Context) {
  const member = await authenticate(request, "editor");
  if (member instanceof Response) return member;
  const body = await parseJson(request, PublishSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return handle(async () => NextResponse.json(await publishWorkflow(member, id, body.note), { status: 201 }));
}
