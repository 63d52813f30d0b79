import { NextResponse } from "next/server";
import { jsonError, parseJson, withMember } from "@/lib/auth/http";
import { RestoreSchema, VersionRefSchema, restoreVersion } from "@/lib/workflows/version-history";

/**
 * Restores a version into the draft `{ revision }` (the draft's current revision, as for any save)
 * → { revision, graph }; 409 when the draft changed meanwhile.
 */
export const POST = withMember("workflow.edit", async (request, member, { params }: { params: Promise<{ id: string; version: string }> }) => {
  const body = await parseJson(request, RestoreSchema);
  if (body instanceof Response) return body;
  const { id, version } = await params;
  const number = VersionRefSchema.safeParse(version);
  // Not a version number: no such version (404, as for another workspace's workflow).
  if (!number.success || number.data === "draft") return jsonError(404, "not_found", "Version not found.");
  return NextResponse.json(await restoreVersion(member, id, number.data, body.revision));
});
