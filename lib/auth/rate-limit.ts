import type { BetterAuthOptions } from "better-auth";
import type { AttemptStore } from "@/lib/auth/attempt-store";

type RateLimitOptions = NonNullable<BetterAuthOptions["rateLimit"]>;

/**
 * better-auth's own per-address rate limit on every auth endpoint, counted in Redis through the
 * same store as the sign-in guard, so all web processes share one budget. Sign-in and sign-up
 * are left to lib/auth/sign-in-guard.ts, which keys them on the client address of
 * lib/auth/client-address.ts and on the account too.
 */
export function rateLimitOptions(enabled: boolean, store: AttemptStore): RateLimitOptions {
  return {
    enabled,
    window: 60,
    max: 300,
    customRules: { "/sign-in/email": false, "/sign-up/email": false },
    customStorage: {
      async consume(key, rule) {
        const hit = await store.hit(`better-auth:${key}`, rule.window);
        return hit.count <= rule.max ? { allowed: true, retryAfter: null } : { allowed: false, retryAfter: hit.resetSeconds };
      },
    },
  };
}
