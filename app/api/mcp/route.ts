import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { z } from "zod";
import { mcpServerFor } from "@/lib/api/mcp-server";
import { withApiKey } from "@/lib/api/route";
import { parseJson } from "@/lib/auth/http";

export const dynamic = "force-dynamic";

/**
 * POST /api/mcp: Weft's MCP server over Streamable HTTP, stateless (no session id; every request
 * gets a fresh server bound to its API key) with JSON responses. GET (a server-to-client stream)
 * and DELETE (ending a session) are not offered: Next answers them 405, which MCP clients expect
 * from a stateless server. The body goes through the same JSON checks as every route first.
 */
export const POST = withApiKey("workflow.read", async (request, caller) => {
  const body = await parseJson(request, z.unknown());
  if (body instanceof Response) return body;
  const server = mcpServerFor(caller);
  const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  await server.connect(transport);
  try {
    return await transport.handleRequest(request, { parsedBody: body });
  } finally {
    void server.close();
  }
});
