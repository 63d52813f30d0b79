import { parseJson, withMember } from "@/lib/auth/http";
import { TestProviderSchema, testProvider } from "@/lib/providers/service";
import { serviceErrorResponse } from "@/lib/services/respond";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

/**
 * Makes a real minimal call. Answers 200 with `{ ok: false, message, code }` when the provider
 * refuses: the request itself succeeded, the provider's verdict is the payload.
 */
export const POST = withMember("provider.manage", async (request, member, { params }: Context) => {
  const body = await parseJson(request, TestProviderSchema);
  if (body instanceof Response) return body;
  try {
    return Response.json(await testProvider(member, (await params).id, body));
  } catch (error) {
    return serviceErrorResponse(error);
  }
});
