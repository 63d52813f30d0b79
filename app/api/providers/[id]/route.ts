import { parseJson, withMember } from "@/lib/auth/http";
import { UpdateProviderSchema, deleteProvider, getProvider, updateProvider } from "@/lib/providers/service";
import { serviceErrorResponse } from "@/lib/services/respond";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

export const GET = withMember("provider.read", async (_request, member, { params }: Context) => {
  try {
    return Response.json(await getProvider(member, (await params).id));
  } catch (error) {
    return serviceErrorResponse(error);
  }
});

/** Omit `apiKey` (or send "") to keep the stored key; send null to remove it. */
export const PATCH = withMember("provider.manage", async (request, member, { params }: Context) => {
  const body = await parseJson(request, UpdateProviderSchema);
  if (body instanceof Response) return body;
  try {
    return Response.json(await updateProvider(member, (await params).id, body));
  } catch (error) {
    return serviceErrorResponse(error);
  }
});

export const DELETE = withMember("provider.manage", async (_request, member, { params }: Context) => {
  try {
    await deleteProvider(member, (await params).id);
    return new Response(null, { status: 204 });
  } catch (error) {
    return serviceErrorResponse(error);
  }
});
