import { NextResponse } from "next/server";
import { authenticate, parseJson } from "@/lib/auth/http";
import { handle } from "@/lib/http/route";
import { UpdateSecretSchema, deleteSecret, updateSecret } from "@/lib/secrets/service";

type Params = { params: Promise<{ id: string }> };

/** Rotates the value and/or changes the description (developer role or higher) → the masked view. */
export async function PATCH(request: Request, { params }: Params) {
  const member = await authenticate(request, "developer");
  if (member instanceof Response) return member;
  const body = await parseJson(request, UpdateSecretSchema);
  if (body instanceof Response) return body;
  const { id } = await params;
  return handle(async () => NextResponse.json(await updateSecret(member, id, body), { headers: { "Cache-Control": "no-store" } }));
}

/** Deletes a secret (admin role or higher) → 204. Tools and nodes that name it fail with secret_not_found. */
export async function DELETE(request: Request, { params }: Params) {
  const member = await authenticate(request, "admin");
  if (member instanceof Response) return member;
  const { id } = await params;
  return handle(async () => {
    await deleteSecret(member, id);
    return new Response(null, { status: 204 });
  });
}
