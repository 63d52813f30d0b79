import { parseJson, withMember } from "@/lib/auth/http";
import { setWorkflowLimits } from "@/lib/limits/budgets";
import { WorkflowLimitsSchema } from "@/lib/limits/schema";
import { serviceErrorResponse } from "@/lib/services/respond";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

/** A workflow's own monthly budget and concurrency limit; null removes either, an omitted field stays. */
export const PUT = withMember("budget.manage", async (request, member, { params }: Context) => {
  const body = await parseJson(request, WorkflowLimitsSchema);
  if (body instanceof Response) return body;
  try {
    return Response.json(await setWorkflowLimits(member, (await params).id, body));
  } catch (error) {
    return serviceErrorResponse(error);
  }
});
