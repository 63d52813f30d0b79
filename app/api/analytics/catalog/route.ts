import { NextResponse } from "next/server";
import { withMember } from "@/lib/auth/http";
import { getAgentCatalog } from "@/lib/analytics/catalog";

/** The agent catalog as JSON: every workflow with its owner, version, last run, recent runs and cost, error rate and idle flag. */
export const GET = withMember("analytics.read", async (_request, member) => NextResponse.json({ workflows: await getAgentCatalog(member) }));
