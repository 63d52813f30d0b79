import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { db, type Db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { signUpPolicy, type SignUpMode } from "@/lib/auth/signup-policy";
import { ensurePersonalWorkspace } from "@/lib/auth/workspaces";

/** Production defaults: the process's database and WEFT_SIGNUP. Tests pass their own. */
export interface AuthDeps {
  db?: Db;
  signUpMode?: SignUpMode;
}

export function createAuth(deps: AuthDeps = {}) {
  const config = env();
  const database = deps.db ?? db();
  return betterAuth({
    appName: "Weft",
    database: prismaAdapter(database, { provider: "postgresql" }),
    secret: config.BETTER_AUTH_SECRET,
    baseURL: config.BETTER_AUTH_URL,
    emailAndPassword: { enabled: true, minPasswordLength: 8, maxPasswordLength: 128 },
    telemetry: { enabled: false },
    // WEFT_SIGNUP: who may create an account (lib/auth/signup-policy.ts).
    plugins: [signUpPolicy({ mode: deps.signUpMode })],
    // Same-origin requests are trusted even when the app is served on another host or port than
    // BETTER_AUTH_URL (e2e servers, previews); cross-site form posts still fail the origin check.
    trustedOrigins: (request) => [config.BETTER_AUTH_URL, request ? new URL(request.url).origin : undefined],
    rateLimit: {
      enabled: config.NODE_ENV === "production",
      window: 60,
      max: 300,
      customRules: {
        "/sign-in/email": { window: 10, max: 30 },
        "/sign-up/email": { window: 10, max: 30 },
      },
    },
    databaseHooks: {
      user: {
        create: {
          // Runs after the sign-up transaction commits, so the user row is visible to db().
          after: async (user) => {
            await ensurePersonalWorkspace({ id: user.id, name: user.name, email: user.email }, database);
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
