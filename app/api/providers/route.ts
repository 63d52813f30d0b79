import { parseJson, withMember } from "@/lib/auth/http";
import { CreateProviderSchema, createProvider, listProviders } from "@/lib/providers/service";
import { serviceErrorResponse } from "@/lib/services/respond";

export const dynamic = "force-dynamic";

/** Every member may list (the editor's model picker needs the names); keys are never included. */
export const GET = withMember("provider.read", async (_request, member) => {
  try {
    return Response.json({ providers: await listProviders(member) });
  } catch (error) {
    return serviceErrorResponse(error);
  }
});

export const POST = withMember("provider.manage", async (request, member) => {
  const body = await parseJson(request, CreateProviderSchema);
  if (body instanceof Response) return body;
  try {
    return Response.json(await createProvider(member, body), { status: 201 });
  } catch (error) {
    return serviceErrorResponse(error);
  }
});
