import { parseJson, withMember } from "@/lib/auth/http";
import { deleteModelAlias, updateModelAlias } from "@/lib/providers/aliases";
import { UpdateModelAliasSchema } from "@/lib/providers/schema";
import { serviceErrorResponse } from "@/lib/services/respond";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

export const PATCH = withMember("provider.manage", async (request, member, { params }: Context) => {
  const body = await parseJson(request, UpdateModelAliasSchema);
  if (body instanceof Response) return body;
  try {
    return Response.json(await updateModelAlias(member, (await params).id, body));
  } catch (error) {
    return serviceErrorResponse(error);
  }
});

export const DELETE = withMember("provider.manage", async (_request, member, { params }: Context) => {
  try {
    await deleteModelAlias(member, (await params).id);
    return new Response(null, { status: 204 });
  } catch (error) {
    return serviceErrorResponse(error);
  }
});
