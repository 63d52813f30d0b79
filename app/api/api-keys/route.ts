import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { CreateApiKeySchema, createApiKey, listApiKeys } from "@/lib/api-keys/service";

/** The workspace's API keys (never their secrets). */
export const GET = withMember("apiKey.manage", async (_request, member) => NextResponse.json({ keys: await listApiKeys(member) }));

/** Creates a key → 201 { key, secret }: the only response that ever contains the full secret. */
export const POST = withMember("apiKey.manage", async (request, member) => {
  const body = await parseJson(request, CreateApiKeySchema);
  if (body instanceof Response) return body;
  return NextResponse.json(await createApiKey(member, body), { status: 201, headers: { "Cache-Control": "no-store" } });
});
