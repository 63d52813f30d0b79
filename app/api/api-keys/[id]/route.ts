import { authenticate } from "@/lib/auth/http";
import { revokeApiKey } from "@/lib/api-keys/service";
import { handle } from "@/lib/http/route";

/** Revokes a key (permanent; the row stays for the list) → 204. */
export async function DELETE(request: Request, { params }: { params: Promise<{ id: string }> }) {
  const member = await authenticate(request, "developer");
  if (member instanceof Response) return member;
  const { id } = await params;
  return handle(async () => {
    await revokeApiKey(member, id);
    return new Response(null, { status: 204 });
  });
}
