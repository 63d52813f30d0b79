import { parseJson, withMember } from "@/lib/auth/http";
import { createModelAlias, listModelAliases } from "@/lib/providers/aliases";
import { CreateModelAliasSchema } from "@/lib/providers/schema";
import { serviceErrorResponse } from "@/lib/services/respond";

export const dynamic = "force-dynamic";

/** Every member may list (the editor's model picker offers aliases). */
export const GET = withMember("provider.read", async (_request, member) => {
  try {
    return Response.json({ aliases: await listModelAliases(member) });
  } catch (error) {
    return serviceErrorResponse(error);
  }
});

export const POST = withMember("provider.manage", async (request, member) => {
  const body = await parseJson(request, CreateModelAliasSchema);
  if (body instanceof Response) return body;
  try {
    return Response.json(await createModelAlias(member, body), { status: 201 });
  } catch (error) {
    return serviceErrorResponse(error);
  }
});
