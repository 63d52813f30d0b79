import { addressKey, clientAddress, parseTrustedProxies } from "@/lib/auth/client-address";
import { env } from "@/lib/env";
import { rateLimiter } from "@/lib/limits/rate-limiter";

/**
 * Webhook calls are counted in the shared sliding-window limiter (lib/limits/rate-limiter.ts), per
 * client address (before the hook is even looked up, so guessing ids costs the guesser) and per hook.
 */
export type Limited = { retryAfterSeconds: number } | null;

async function admit(scope: string, perMinute: number): Promise<Limited> {
  const refused = await rateLimiter().admitRequests([{ scope, perMinute }]);
  return refused && { retryAfterSeconds: Math.max(1, Math.ceil(refused.retryAfterMs / 1000)) };
}

export function admitAddress(request: Request): Promise<Limited> {
  const address = clientAddress(request.headers.get("x-forwarded-for"), parseTrustedProxies(env().WEFT_TRUSTED_PROXIES));
  return admit(`webhook-ip:${addressKey(address)}`, env().WEFT_WEBHOOK_IP_RATE_PER_MINUTE);
}

export const admitHook = (webhookId: string): Promise<Limited> => admit(`webhook:${webhookId}`, env().WEFT_WEBHOOK_RATE_PER_MINUTE);
