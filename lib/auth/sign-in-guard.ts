import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware, isAPIError } from "better-auth/api";
import { z } from "zod";
import type { AuditEntry } from "@/lib/audit/record";
import type { AttemptLimit, AuthLimits } from "@/lib/auth/auth-limits";
import { emailKey, type AttemptStore } from "@/lib/auth/attempt-store";
import { addressKey, clientAddress, type AddressRange } from "@/lib/auth/client-address";

export interface SignInGuardDeps {
  store: AttemptStore;
  trustedProxies: readonly AddressRange[];
  limits: AuthLimits;
  audit: (entry: AuditEntry) => Promise<void>;
}

type HookContext = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

const EmailBody = z.object({ email: z.string().trim().toLowerCase().min(1) });

/** Error codes the sign-in form knows (app/(auth)/sign-in/sign-in-form.tsx). */
export const GUARD_ERROR_CODES = { locked: "ACCOUNT_LOCKED", tooMany: "TOO_MANY_ATTEMPTS" } as const;

/**
 * better-auth plugin: per-address and per-account limits on signing in (and per-address on
 * signing up), counted in Redis, and a temporary lock on an email after repeated failures, with
 * audit entries. Failures are counted per email whether or not an account has it, so the lock
 * says nothing about which emails exist. Only HTTP requests are limited; server code calling
 * auth().api directly is trusted.
 */
export function signInGuard(deps: SignInGuardDeps): BetterAuthPlugin {
  return {
    id: "weft-sign-in-guard",
    hooks: {
      before: [
        { matcher: isSignIn, handler: createAuthMiddleware((ctx) => beforeSignIn(ctx, deps)) },
        { matcher: (ctx) => ctx.path === "/sign-up/email", handler: createAuthMiddleware((ctx) => beforeSignUp(ctx, deps)) },
      ],
      after: [{ matcher: isSignIn, handler: createAuthMiddleware((ctx) => afterSignIn(ctx, deps)) }],
    },
  };
}

const isSignIn = (ctx: { path?: string }) => ctx.path === "/sign-in/email";

type AuditDeps = Pick<SignInGuardDeps, "trustedProxies" | "audit">;

/**
 * With the limits off (WEFT_AUTH_RATE_LIMIT=false) sign-ins are still audited: the same success
 * and failure entries as the guard writes, without failure counts (nothing is counted).
 */
export function signInAudit(deps: AuditDeps): BetterAuthPlugin {
  return {
    id: "weft-sign-in-audit",
    hooks: {
      after: [
        {
          matcher: isSignIn,
          handler: createAuthMiddleware(async (ctx) => {
            if (!ctx.request) return;
            const email = emailOf(ctx.body);
            if (ctx.context.newSession) return auditSuccess(ctx, deps, ctx.context.newSession.user);
            if (email && isAPIError(ctx.context.returned) && ctx.context.returned.statusCode === 401) {
              await deps.audit({ ...(await failureFacts(ctx, deps, email)), action: "auth.sign_in.failed", metadata: { email } });
            }
          }),
        },
      ],
    },
  };
}

function auditSuccess(ctx: HookContext, deps: AuditDeps, user: { id: string; email: string }): Promise<void> {
  return deps.audit({
    ...requestFacts(ctx, deps),
    action: "auth.sign_in.succeeded",
    actorType: "user",
    actorUserId: user.id,
    actorLabel: user.email,
    targetType: "user",
    targetId: user.id,
    targetLabel: user.email,
  });
}

/** The target is the account when one has this email, else the email itself (nothing to enumerate: admins only). */
async function failureFacts(ctx: HookContext, deps: AuditDeps, email: string) {
  const userId = (await ctx.context.internalAdapter.findUserByEmail(email))?.user.id ?? null;
  return { ...requestFacts(ctx, deps), actorType: "anonymous" as const, targetType: userId ? "user" : "email", targetId: userId ?? email, targetLabel: email };
}

async function beforeSignIn(ctx: HookContext, deps: SignInGuardDeps): Promise<void> {
  if (!ctx.request) return;
  const email = emailOf(ctx.body);
  if (email) await refuseWhileLocked(deps, email);
  await spend(deps, `sign-in:address:${addressOf(ctx, deps)}`, deps.limits.signInPerAddress, "sign-in attempts from your network");
  if (email) await spend(deps, `sign-in:account:${emailKey(email)}`, deps.limits.signInPerAccount, "sign-in attempts for this account");
}

async function beforeSignUp(ctx: HookContext, deps: SignInGuardDeps): Promise<void> {
  if (!ctx.request) return;
  await spend(deps, `sign-up:address:${addressOf(ctx, deps)}`, deps.limits.signUpPerAddress, "sign-up attempts from your network");
}

async function afterSignIn(ctx: HookContext, deps: SignInGuardDeps): Promise<void> {
  if (!ctx.request) return;
  const email = emailOf(ctx.body);
  const returned = ctx.context.returned;
  const session = ctx.context.newSession;
  if (session) {
    if (email) await deps.store.clear(failuresKey(email));
    return auditSuccess(ctx, deps, session.user);
  }
  if (email && isAPIError(returned) && returned.statusCode === 401) await countFailure(ctx, deps, email);
}

/** Counts a failed sign-in; the one that reaches the threshold locks the email and says so in the audit log. */
async function countFailure(ctx: HookContext, deps: SignInGuardDeps, email: string): Promise<void> {
  const { lockout } = deps.limits;
  const failures = await deps.store.hit(failuresKey(email), lockout.windowSeconds);
  const facts = await failureFacts(ctx, deps, email);
  await deps.audit({ ...facts, action: "auth.sign_in.failed", metadata: { email, failures: failures.count } });
  if (failures.count < lockout.failures) return;
  if (!(await deps.store.lock(lockKey(email), lockout.lockSeconds))) return;
  await deps.store.clear(failuresKey(email));
  await deps.audit({
    ...facts,
    action: "auth.sign_in.locked",
    metadata: { email, failures: failures.count, windowSeconds: lockout.windowSeconds, lockSeconds: lockout.lockSeconds },
  });
}

async function refuseWhileLocked(deps: SignInGuardDeps, email: string): Promise<void> {
  const seconds = await deps.store.lockedFor(lockKey(email));
  if (seconds <= 0) return;
  const minutes = Math.ceil(seconds / 60);
  throw new APIError(
    "LOCKED",
    {
      code: GUARD_ERROR_CODES.locked,
      message: `This account is locked after too many failed sign-ins. Try again in ${minutes} minute${minutes === 1 ? "" : "s"}.`,
    },
    { "Retry-After": String(seconds) },
  );
}

/** Counts one attempt against `key`; a 429 with Retry-After once the window's budget is spent. */
async function spend(deps: SignInGuardDeps, key: string, limit: AttemptLimit, what: string): Promise<void> {
  const hit = await deps.store.hit(key, limit.windowSeconds);
  if (hit.count <= limit.max) return;
  throw new APIError(
    "TOO_MANY_REQUESTS",
    { code: GUARD_ERROR_CODES.tooMany, message: `Too many ${what}. Try again in ${hit.resetSeconds} seconds.` },
    { "Retry-After": String(hit.resetSeconds) },
  );
}

function clientOf(ctx: HookContext, deps: AuditDeps) {
  return clientAddress(ctx.request?.headers.get("x-forwarded-for") ?? null, deps.trustedProxies);
}

/** The rate-limit key of the client (lib/auth/client-address.ts). */
function addressOf(ctx: HookContext, deps: SignInGuardDeps): string {
  return addressKey(clientOf(ctx, deps));
}

function requestFacts(ctx: HookContext, deps: AuditDeps) {
  return {
    ip: clientOf(ctx, deps)?.toString() ?? null,
    userAgent: ctx.request?.headers.get("user-agent")?.slice(0, 512) ?? null,
  };
}

function emailOf(body: unknown): string | null {
  const parsed = EmailBody.safeParse(body);
  return parsed.success ? parsed.data.email : null;
}

const failuresKey = (email: string) => `sign-in:failures:${emailKey(email)}`;
const lockKey = (email: string) => `sign-in:lock:${emailKey(email)}`;
