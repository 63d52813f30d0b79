import { addressKey, clientAddress, parseTrustedProxies } from "@/lib/auth/client-address";
import { jsonError } from "@/lib/auth/json-error";
import { env } from "@/lib/env";
import { rateLimiter } from "@/lib/limits/rate-limiter";

/**
 * Rate limits of the public chat routes, on the shared Redis limiter (lib/limits): every request
 * per client address (before the slug is even looked up, so probing for apps is slowed too), and
 * turns (each one a run) per app and per visitor or user. Per minute (WEFT_RATE_WINDOW_MS).
 */
export const CHAT_LIMITS = {
  requestsPerAddress: 300,
  turnsPerApp: 600,
  turnsPerCaller: 20,
} as const;

/** Largest chat request body (a message is at most 20,000 characters). */
export const CHAT_MAX_BODY_BYTES = 64 * 1024;

async function admit(scope: string, requestsPerMinute: number): Promise<Response | null> {
  const admission = await rateLimiter().acquire(scope, { requestsPerMinute }, 0);
  if (admission.ok) return null;
  const seconds = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
  const response = jsonError(429, "rate_limited", `Too many requests; try again in ${seconds} s.`);
  response.headers.set("Retry-After", String(seconds));
  return response;
}

export function clientKey(request: Request): string {
  return addressKey(clientAddress(request.headers.get("x-forwarded-for"), parseTrustedProxies(env().WEFT_TRUSTED_PROXIES)));
}

export const admitRequest = (request: Request) => admit(`chat:address:${clientKey(request)}`, CHAT_LIMITS.requestsPerAddress);

export async function admitTurn(appId: string, caller: string): Promise<Response | null> {
  return (await admit(`chat:app:${appId}`, CHAT_LIMITS.turnsPerApp)) ?? (await admit(`chat:caller:${appId}:${caller}`, CHAT_LIMITS.turnsPerCaller));
}
