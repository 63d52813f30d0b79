import { parseJson, withMember } from "@/lib/auth/http";
import { serviceErrorResponse } from "@/lib/services/respond";
import { CreateMcpSourceSchema } from "@/lib/tools/mcp/schema";
import { createMcpSource, getMcpStdioOptions, listMcpSources } from "@/lib/tools/mcp/service";

export const dynamic = "force-dynamic";

/**
 * MCP servers of the caller's workspace with their cached tools and status, and the stdio servers
 * the operator allows (what the register form offers), developer and up.
 */
export const GET = withMember("mcp.manage", async (_request, member) => {
  try {
    return Response.json({ sources: await listMcpSources(member), stdio: getMcpStdioOptions(member) });
  } catch (error) {
    return serviceErrorResponse(error);
  }
});

/** Registers a server; nothing is started until Connect. */
export const POST = withMember("mcp.manage", async (request, member) => {
  const body = await parseJson(request, CreateMcpSourceSchema);
  if (body instanceof Response) return body;
  try {
    return Response.json(await createMcpSource(member, body), { status: 201 });
  } catch (error) {
    return serviceErrorResponse(error);
  }
});
