import { parseJson, withMember } from "@/lib/auth/http";
import { serviceErrorResponse } from "@/lib/services/respond";
import { UpdateMcpSourceSchema } from "@/lib/tools/mcp/schema";
import { deleteMcpSource, getMcpSource, updateMcpSource } from "@/lib/tools/mcp/service";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

export const GET = withMember("mcp.manage", async (_request, member, { params }: Context) => {
  try {
    return Response.json(await getMcpSource(member, (await params).id));
  } catch (error) {
    return serviceErrorResponse(error);
  }
});

/** New settings close a running server of the old ones; its cached tools stay until the next Connect. */
export const PATCH = withMember("mcp.manage", async (request, member, { params }: Context) => {
  const body = await parseJson(request, UpdateMcpSourceSchema);
  if (body instanceof Response) return body;
  try {
    return Response.json(await updateMcpSource(member, (await params).id, body));
  } catch (error) {
    return serviceErrorResponse(error);
  }
});

export const DELETE = withMember("mcp.manage", async (_request, member, { params }: Context) => {
  try {
    await deleteMcpSource(member, (await params).id);
    return new Response(null, { status: 204 });
  } catch (error) {
    return serviceErrorResponse(error);
  }
});
