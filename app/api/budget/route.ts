import { parseJson, withMember } from "@/lib/auth/http";
import { setWorkspaceBudget, usageOverview } from "@/lib/limits/budgets";
import { WorkspaceBudgetSchema } from "@/lib/limits/schema";
import { serviceErrorResponse } from "@/lib/services/respond";

export const dynamic = "force-dynamic";

/** This month's spend, the workspace budget and each workflow's budget and concurrency limit. */
export const GET = withMember("budget.read", async (_request, member) => {
  try {
    return Response.json(await usageOverview(member));
  } catch (error) {
    return serviceErrorResponse(error);
  }
});

/** Sets or raises the workspace's monthly budget (`{ budget: null }` removes it). */
export const PUT = withMember("budget.manage", async (request, member) => {
  const body = await parseJson(request, WorkspaceBudgetSchema);
  if (body instanceof Response) return body;
  try {
    return Response.json({ budget: await setWorkspaceBudget(member, body) });
  } catch (error) {
    return serviceErrorResponse(error);
  }
});
