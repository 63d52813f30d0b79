import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { CreateSecretSchema, createSecret, listSecrets } from "@/lib/secrets/service";

const NO_STORE = { "Cache-Control": "no-store" };

/** The workspace's secrets, masked (name, description, hint, dates): editors need the names for `{{ secrets.NAME }}`. */
export const GET = withMember("secret.read", async (_request, member) => NextResponse.json({ secrets: await listSecrets(member) }, { headers: NO_STORE }));

/** Creates a secret → 201 with its masked view; the value is never sent back, not even now. */
export const POST = withMember("secret.create", async (request, member) => {
  const body = await parseJson(request, CreateSecretSchema);
  if (body instanceof Response) return body;
  return NextResponse.json(await createSecret(member, body), { status: 201, headers: NO_STORE });
});
