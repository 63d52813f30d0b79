import { NextResponse } from "next/server";
import { parseJson, withMember } from "@/lib/auth/http";
import { UpdateSecretSchema, deleteSecret, updateSecret } from "@/lib/secrets/service";

type Params = { params: Promise<{ id: string }> };

/** Rotates the value and/or changes the description → the masked view. */
export const PATCH = withMember("secret.edit", async (request, member, { params }: Params) => {
  const body = await parseJson(request, UpdateSecretSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return NextResponse.json(await updateSecret(member, id, body), { headers: { "Cache-Control": "no-store" } });
});

/** Deletes a secret → 204. Tools and nodes that name it fail with secret_not_found. */
export const DELETE = withMember("secret.delete", async (_request, member, { params }: Params) => {
  const { id } = await params;
  await deleteSecret(member, id);
  return new Response(null, { status: 204 });
});
