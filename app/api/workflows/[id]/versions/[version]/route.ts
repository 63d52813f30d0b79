import { NextResponse } from "next/server";
import { jsonError, withMember } from "@/lib/auth/http";
import { VersionRefSchema, versionWithGraph } from "@/lib/workflows/version-history";

/** One published version with its graph → { version, note, createdAt, graph, … }; 404 when there is none. */
export const GET = withMember("workflow.read", async (_request, member, { params }: { params: Promise<{ id: string; version: string }> }) => {
  const { id, version } = await params;
  const number = VersionRefSchema.safeParse(version);
  // Not a version number: no such version (404, as for another workspace's workflow).
  if (!number.success || number.data === "draft") return jsonError(404, "not_found", "Version not found.");
  return NextResponse.json(await versionWithGraph(member, id, number.data));
});
