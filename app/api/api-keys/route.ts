import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { CreateApiKeySchema, createApiKey, listApiKeys } from "@/lib/api-keys/service";
import { handle } from "@/lib/http/route";

/** The workspace's API keys (never their secrets). Developer role or higher. */
export async function GET(request: Request) {
  const member = await authenticate(request, "developer");
  if (member instanceof Response) return member;
  return handle(async () => NextResponse.json({ keys: await listApiKeys(member) }));
}

/** Creates a key → 201 { key, secret }: the only response that ever contains the full secret. */
export async function POST(request: Request) {
  const member = await authenticate(request, "developer");
  if (member instanceof Response) return member;
  const body = await parseJson(request, CreateApiKeySchema);
  if (body instanceof Response) return body;
  return handle(async () => NextResponse.json(await createApiKey(member, body), { status: 201, headers: { "Cache-Control": "no-store" } }));
}
