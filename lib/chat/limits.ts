import { addressKey, clientAddress, parseTrustedProxies } from "@/lib/auth/client-address";
import { jsonError } from "@/lib/auth/json-error";
import { env } from "@/lib/env";
import { rateLimiter, type RequestLimit } from "@/lib/limits/rate-limiter";

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

/** One request counted against each limit (none when one is full: then a 429 with Retry-After). */
async function admit(limits: RequestLimit[]): Promise<Response | null> {
  const refused = await rateLimiter().admitRequests(limits);
  if (!refused) return null;
  const seconds = Math.max(1, Math.ceil(refused.retryAfterMs / 1000));
  const response = jsonError(429, "rate_limited", `Too many requests; try again in ${seconds} s.`);
  response.headers.set("Retry-After", String(seconds));
  return response;
}

export function clientKey(request: Request): string {
  return addressKey(clientAddress(request.headers.get("x-forwarded-for"), parseTrustedProxies(env().WEFT_TRUSTED_PROXIES)));
}

export const admitRequest = (request: Request) => admit([{ scope: `chat:address:${clientKey(request)}`, perMinute: CHAT_LIMITS.requestsPerAddress }]);

/** A turn counts against its app and its caller, in one round trip to Redis. */
export const admitTurn = (appId: string, caller: string) =>
  admit([
    { scope: `chat:app:${appId}`, perMinute: CHAT_LIMITS.turnsPerApp },
    { scope: `chat:caller:${appId}:${caller}`, perMinute: CHAT_LIMITS.turnsPerCaller },
  ]);
