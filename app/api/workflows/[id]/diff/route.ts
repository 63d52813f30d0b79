import { NextResponse } from "next/server";
import { jsonError, withMember } from "@/lib/auth/http";
import { getWorkflow } from "@/lib/workflows/service";
import { DiffQuerySchema, diffVersions } from "@/lib/workflows/version-history";

/**
 * The semantic diff `?from=<version|draft>&to=<version|draft>` (to defaults to the draft) →
 * { from, to, diff: { added, removed, changed (moved, fields), edgesAdded, edgesRemoved, variables, same } }.
 */
export const GET = withMember("workflow.read", async (request, member, { params }: { params: Promise<{ id: string }> }) => {
  const url = new URL(request.url);
  const query = DiffQuerySchema.safeParse({ from: url.searchParams.get("from") ?? undefined, to: url.searchParams.get("to") ?? undefined });
  const { id } = await params;
  if (!query.success) {
    await getWorkflow(member, id); // 404 first for a workflow the caller cannot see
    return jsonError(400, "invalid_request", "Give ?from= and optionally ?to= as a version number or draft.");
  }
  return NextResponse.json(await diffVersions(member, id, query.data));
});
