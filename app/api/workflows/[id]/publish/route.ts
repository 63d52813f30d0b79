import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { PublishSchema, listVersions, publishWorkflow } from "@/lib/workflows/versions";

type Context = { params: Promise<{ id: string }> };

/** The workflow's published versions, newest first → { versions: [{ id, version, note, createdAt, … }] }. */
export const GET = withMember("workflow.read", async (_request, member, { params }: Context) => {
  const { id } = await params;
  return NextResponse.json({ versions: await listVersions(member, id) });
});

/** Publishes the current draft as the next immutable version → 201 { id, version, … }; 400 invalid_graph with problems. */
export const POST = withMember("workflow.publish", async (request, member, { params }: Context) => {
  const body = await parseJson(request, PublishSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return NextResponse.json(await publishWorkflow(member, id, body.note), { status: 201 });
});
