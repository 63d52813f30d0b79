import { withApiKey } from "@/lib/api/route";
import { parseJson } from "@/lib/auth/http";
import { RegisterToolRequestSchema, toApiTool } from "@/lib/tools/api-schemas";
import { createTool, listTools } from "@/lib/tools/service";

export const dynamic = "force-dynamic";

/** GET /api/v1/tools: the workspace's tools with their input schemas. */
export const GET = withApiKey("tool.read", async (_request, caller) => Response.json({ tools: (await listTools(caller.member)).map(toApiTool) }));

/** POST /api/v1/tools: registers an http or code tool → 201. */
export const POST = withApiKey("tool.manage", async (request, caller) => {
  const body = await parseJson(request, RegisterToolRequestSchema);
  if (body instanceof Response) return body;
  // caller.member has the key creator's current role, which withApiKey already checked against tool.manage.
  const tool = await createTool(caller.member, body);
  return Response.json(toApiTool(tool), { status: 201, headers: { Location: `/api/v1/tools/${tool.id}` } });
});
