import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { CreateSecretSchema, createSecret, listSecrets } from "@/lib/secrets/service";

const NO_STORE = { "Cache-Control": "no-store" };

/** The workspace's secrets, masked (name, description, hint, dates): editors need the names for `{{ secrets.NAME }}`. */
export async function GET(request: Request) {
  const member = await authenticate(request, "editor");
  if (member instanceof Response) return member;
  return handle(async () => NextResponse.json({ secrets: await listSecrets(member) }, { headers: NO_STORE }));
}

/** Creates a secret → 201 with its masked view; the value is never sent back, not even now. */
export async function POST(request: Request) {
  const member = await authenticate(request, "developer");
  if (member instanceof Response) return member;
  const body = await parseJson(request, CreateSecretSchema);
  if (body instanceof Response) return body;
  return handle(async () => NextResponse.json(await createSecret(member, body), { status: 201, headers: NO_STORE }));
}
