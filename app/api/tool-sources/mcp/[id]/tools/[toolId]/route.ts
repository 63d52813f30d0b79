import { parseJson, withMember } from "@/lib/auth/http";
import { serviceErrorResponse } from "@/lib/services/respond";
import { UpdateMcpToolSchema } from "@/lib/tools/mcp/schema";
import { updateMcpTool } from "@/lib/tools/mcp/service";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string; toolId: string }> };

/** The per-tool setting `{ requireApproval }`: a Human approval before each call of this MCP tool (kept across refreshes). */
export const PATCH = withMember("mcp.manage", async (request, member, { params }: Context) => {
  const body = await parseJson(request, UpdateMcpToolSchema);
  if (body instanceof Response) return body;
  try {
    const { id, toolId } = await params;
    return Response.json(await updateMcpTool(member, id, toolId, body));
  } catch (error) {
    return serviceErrorResponse(error);
  }
});
