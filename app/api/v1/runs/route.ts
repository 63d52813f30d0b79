import { apiError, issuesOf } from "@/lib/api/errors";
import { withApiKey } from "@/lib/api/route";
import { listRunViews } from "@/lib/api/runs";
import { ListRunsRequestSchema } from "@/lib/api/schemas";

export const dynamic = "force-dynamic";

/**
 * GET /api/v1/runs: the workspace's runs, newest first, with the runs page's filters and text
 * search as query parameters (lib/runs/run-search.ts); keyset pages via `cursor`.
 */
export const GET = withApiKey("run.read", async (request, caller) => {
  const query = Object.fromEntries(new URL(request.url).searchParams);
  const parsed = ListRunsRequestSchema.safeParse(query);
  if (!parsed.success) return apiError(400, "invalid_request", "The query parameters are invalid.", { issues: issuesOf(parsed.error) });
  return Response.json(await listRunViews(caller.member, parsed.data));
});
