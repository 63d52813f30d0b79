import { withMember } from "@/lib/auth/http";
import { revokeApiKey } from "@/lib/api-keys/service";

/** Revokes a key (permanent; the row stays for the list) → 204. */
export const DELETE = withMember("apiKey.manage", async (_request, member, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  await revokeApiKey(member, id);
  return new Response(null, { status: 204 });
});
