import { NextResponse } from "next/server";
import { authenticate } from "@/lib/auth/http";
import { db } from "@/lib/db/client";
import { handle } from "@/lib/http/route";
import { listPublishedWorkflows } from "@/lib/runs/subworkflows";

/** Published workflows of the workspace with their latest version's Start inputs, for the Sub-workflow node's panel. */
export async function GET(request: Request) {
  const member = await authenticate(request);
  if (member instanceof Response) return member;
  return handle(async () => NextResponse.json({ workflows: await listPublishedWorkflows(db(), member.workspaceId) }));
}
