import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { NodeTestSchema, startNodeTest, upstreamValues } from "@/lib/runs/node-test";

type Context = { params: Promise<{ id: string; nodeId: string }> };

/** The node's upstream nodes with their outputs from the latest run that has them → { nodeId, runId, upstream: [{ id, type, title, value }] }. */
export const GET = withMember("run.read", async (_request, member, { params }: Context) => {
  const { id, nodeId } = await params;
  return NextResponse.json(await upstreamValues(member, id, nodeId));
});

/** Tests the node with the given upstream values `{ upstream: { nodeId: output }, sourceRunId? }` → 201 { runId }. */
export const POST = withMember("run.start", async (request, member, { params }: Context) => {
  const body = await parseJson(request, NodeTestSchema);
  if (body instanceof Response) return body;
  const { id, nodeId } = await params;
  return NextResponse.json(await startNodeTest(member, id, nodeId, body), { status: 201 });
});
