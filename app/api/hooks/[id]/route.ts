import { apiHandle } from "@/lib/api/errors";
import { withTransportSecurity } from "@/lib/auth/security-headers";
import { env } from "@/lib/env";
import { publicRoute } from "@/lib/http/route";
import { handleWebhookCall } from "@/lib/triggers/webhook-call";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

/** HSTS is added here: /api/hooks does not pass through proxy.ts. */
const call = async (request: Request, { params }: Context) =>
  withTransportSecurity(await apiHandle(async () => handleWebhookCall(request, (await params).id)), env().BETTER_AUTH_URL);

const REASON = "webhooks are called by other systems without a session; the unguessable id, an HMAC signature or an API key (per hook) authenticate, and unknown ids answer 404";

/** POST /api/hooks/{id}: a JSON or form body (or the query string) becomes the Start inputs (lib/triggers/webhook-call.ts). */
export const POST = publicRoute(REASON, call);

/** GET /api/hooks/{id}?name=value: the query string becomes the Start inputs (not for hmac hooks, whose inputs are signed). */
export const GET = publicRoute(REASON, call);
