import { withMember } from "@/lib/auth/http";
import { serviceErrorResponse } from "@/lib/services/respond";
import { syncMcpSource } from "@/lib/tools/mcp/service";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

/**
 * Connect / Refresh tools: the only action that starts the server. 200 with `ok: false` and the
 * server's message when it cannot be reached (that is an answer about the server, not a bad request).
 */
export const POST = withMember("mcp.manage", async (_request, member, { params }: Context) => {
  try {
    return Response.json(await syncMcpSource(member, (await params).id));
  } catch (error) {
    return serviceErrorResponse(error);
  }
});
