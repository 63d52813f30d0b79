import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { db, type Db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { recordAudit } from "@/lib/audit/record";
import { AUTH_LIMITS, type AuthLimits } from "@/lib/auth/auth-limits";
import { redisAttemptStore, type AttemptStore } from "@/lib/auth/attempt-store";
import { parseTrustedProxies } from "@/lib/auth/client-address";
import { rateLimitOptions } from "@/lib/auth/rate-limit";
import { signInAudit, signInGuard } from "@/lib/auth/sign-in-guard";
import { signUpPolicy, type SignUpMode } from "@/lib/auth/signup-policy";
import { NO_REQUEST_FACTS, requestFacts } from "@/lib/audit/request-facts";
import { invitationTokenOf, placeNewUser } from "@/lib/members/new-user";
import { createRedis, redisPrefix } from "@/lib/queue/redis";

/** What tests may change; production takes everything from lib/env.ts. */
export interface AuthSettings {
  /** Rate limits and account lockout (WEFT_AUTH_RATE_LIMIT). */
  rateLimit: boolean;
  /** WEFT_TRUSTED_PROXIES. */
  trustedProxies: readonly string[];
  limits: AuthLimits;
  store: AttemptStore;
  /** WEFT_SIGNUP. */
  signUpMode: SignUpMode;
  /** The database accounts live in (tests of "the first account" use an empty one). */
  db: Db;
}

function settingsWith(overrides: Partial<AuthSettings>): AuthSettings {
  const config = env();
  return {
    rateLimit: overrides.rateLimit ?? config.WEFT_AUTH_RATE_LIMIT,
    trustedProxies: overrides.trustedProxies ?? config.WEFT_TRUSTED_PROXIES,
    limits: overrides.limits ?? AUTH_LIMITS,
    // Connects on first use; a few retries, not BullMQ's unbounded ones: sign-in should fail, not hang, when Redis is down.
    store: overrides.store ?? redisAttemptStore(createRedis({ maxRetriesPerRequest: 3, lazyConnect: true }), redisPrefix()),
    signUpMode: overrides.signUpMode ?? config.WEFT_SIGNUP,
    db: overrides.db ?? db(),
  };
}

export function createAuth(overrides: Partial<AuthSettings> = {}) {
  const config = env();
  const settings = settingsWith(overrides);
  const trustedProxies = parseTrustedProxies(settings.trustedProxies);
  return betterAuth({
    appName: "Weft",
    database: prismaAdapter(settings.db, { provider: "postgresql" }),
    secret: config.BETTER_AUTH_SECRET,
    baseURL: config.BETTER_AUTH_URL,
    emailAndPassword: {
      enabled: true,
      minPasswordLength: 8,
      maxPasswordLength: 128,
      // Against account enumeration: sign-up answers an existing email exactly as a new one
      // (200, `token: null`, a synthetic user, after hashing the password for similar timing).
      // The sign-up form then signs in, which only succeeds for the new account's owner.
      autoSignIn: false,
    },
    telemetry: { enabled: false },
    // Same-origin requests are trusted even when the app is served on another host or port than
    // BETTER_AUTH_URL (e2e servers, previews); cross-site form posts still fail the origin check.
    // lib/auth/origin.ts applies the same rule to the app's own API routes.
    trustedOrigins: (request) => [config.BETTER_AUTH_URL, request ? new URL(request.url).origin : undefined],
    advanced: {
      // `Secure` cookies (and the __Secure- prefix) whenever the public URL is https, not only in production builds.
      useSecureCookies: new URL(config.BETTER_AUTH_URL).protocol === "https:",
      // better-auth skips its Origin check when NODE_ENV=test; keep it on so tests run what production runs.
      disableOriginCheck: false,
      // Session rows and better-auth's own limiter read the client address the way
      // lib/auth/client-address.ts does: right-most X-Forwarded-For hop not in this list.
      ipAddress: { ipAddressHeaders: ["x-forwarded-for"], trustedProxies: [...settings.trustedProxies] },
    },
    rateLimit: rateLimitOptions(settings.rateLimit, settings.store),
    plugins: [
      // Sign-ins are audited either way; the guard also counts failures and locks accounts.
      settings.rateLimit ? signInGuard({ store: settings.store, trustedProxies, limits: settings.limits, audit: recordAudit }) : signInAudit({ trustedProxies, audit: recordAudit }),
      // WEFT_SIGNUP: who may create an account (lib/auth/signup-policy.ts); after the limits, so refusals are rate limited too.
      signUpPolicy({ mode: settings.signUpMode }),
    ],
    databaseHooks: {
      user: {
        create: {
          // Runs after the sign-up transaction commits, so the user row is visible to db().
          after: async (user, context) => {
            await placeNewUser({ id: user.id, name: user.name, email: user.email }, {
              invitationToken: invitationTokenOf(context?.body),
              facts: context?.request ? requestFacts(context.request) : NO_REQUEST_FACTS,
              database: settings.db,
            });
          },
        },
      },
    },
  });
}

export type Auth = ReturnType<typeof createAuth>;

// Built on first use, not at import, so importing this module never reads env or opens a pool.
const holder = globalThis as unknown as { __weftAuth?: Auth };

export function auth(): Auth {
  holder.__weftAuth ??= createAuth();
  return holder.__weftAuth;
}
