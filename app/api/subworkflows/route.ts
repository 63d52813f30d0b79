import { NextResponse } from "next/server";
import { withMember } from "@/lib/auth/http";
import { db } from "@/lib/db/client";
import { listPublishedWorkflows } from "@/lib/runs/subworkflows";

/** Published workflows of the workspace with their latest version's Start inputs, for the Sub-workflow node's panel. */
export const GET = withMember("workflow.read", async (_request, member) => NextResponse.json({ workflows: await listPublishedWorkflows(db(), member.workspaceId) }));
