import { NextResponse } from "next/server";
import { withMember } from "@/lib/auth/http";
import { listVersionsWithAuthors } from "@/lib/workflows/version-history";

/** Published versions, newest first, with their publish notes and authors → { versions: [{ version, note, author, createdAt, … }] }. */
export const GET = withMember("workflow.read", async (_request, member, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  return NextResponse.json({ versions: await listVersionsWithAuthors(member, id) });
});
