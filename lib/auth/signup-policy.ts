import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { z } from "zod";
import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { invitationAllowsSignUp } from "@/lib/members/accept";

/**
 * Who may create an account (WEFT_SIGNUP), enforced in better-auth before `/sign-up/email` runs,
 * for browser and server calls alike:
 * - `open`: anyone, each with a personal workspace;
 * - `invite` (the default): only an email with a pending invitation, through its link (the
 *   sign-up request carries the link's token as `invitationToken`; lib/members/accept.ts);
 * - `closed`: nobody.
 * The very first account of an empty instance is always allowed, so the operator can create it.
 */

export type SignUpMode = "open" | "invite" | "closed";

export interface SignUpPolicy {
  mode: SignUpMode;
  /** Whether any account exists yet. */
  hasUsers: () => Promise<boolean>;
  /** Whether `email` has a pending invitation, and `invitationToken` is its link's token. */
  isInvited: (email: string, invitationToken: string | null) => Promise<boolean>;
}

export const SIGN_UP_REFUSED = {
  invite: { code: "SIGN_UP_BY_INVITATION_ONLY", message: "Sign-up is by invitation only. Ask a workspace admin to invite you." },
  closed: { code: "SIGN_UP_CLOSED", message: "Sign-up is closed on this instance. Ask its operator for an account." },
} as const;

export type SignUpDecision = { allowed: true } | { allowed: false; code: string; message: string };

export async function decideSignUp(email: string, policy: SignUpPolicy, invitationToken: string | null = null): Promise<SignUpDecision> {
  if (policy.mode === "open") return { allowed: true };
  if (!(await policy.hasUsers())) return { allowed: true };
  if (policy.mode === "invite" && (await policy.isInvited(email.trim().toLowerCase(), invitationToken))) return { allowed: true };
  return { allowed: false, ...SIGN_UP_REFUSED[policy.mode] };
}

const SignUpBodySchema = z.object({ email: z.string(), invitationToken: z.string().max(128).optional() });

/**
 * The policy as a better-auth plugin. `mode` defaults to WEFT_SIGNUP; "any account yet" is
 * counted through better-auth's own adapter, so it is the database the auth instance uses.
 */
export function signUpPolicy(settings: { mode?: SignUpMode; isInvited?: SignUpPolicy["isInvited"] } = {}): BetterAuthPlugin {
  return {
    id: "weft-sign-up-policy",
    hooks: {
      before: [
        {
          matcher: (context) => context.path === "/sign-up/email",
          handler: createAuthMiddleware(async (ctx) => {
            const body = SignUpBodySchema.safeParse(ctx.body);
            const decision = await decideSignUp(
              body.success ? body.data.email : "",
              {
                mode: settings.mode ?? env().WEFT_SIGNUP,
                hasUsers: async () => (await ctx.context.adapter.count({ model: "user" })) > 0,
                isInvited: settings.isInvited ?? invitationAllowsSignUp,
              },
              body.success ? (body.data.invitationToken ?? null) : null,
            );
            if (!decision.allowed) throw new APIError("FORBIDDEN", { code: decision.code, message: decision.message });
          }),
        },
      ],
    },
  };
}

/** What the sign-up page says before anyone types: null when sign-up is open to this visitor. */
export function signUpNotice(mode: SignUpMode, hasUsers: boolean): string | null {
  if (mode === "open" || !hasUsers) return null;
  return SIGN_UP_REFUSED[mode].message;
}

/**
 * The sign-up page's state: the notice to show, and whether the form is offered (under `invite`
 * it is, for invited emails; under `closed` there is nothing to fill in).
 */
export async function signUpPageState(mode: SignUpMode = env().WEFT_SIGNUP): Promise<{ notice: string | null; showForm: boolean }> {
  const notice = signUpNotice(mode, (await db().user.count()) > 0);
  return { notice, showForm: notice === null || mode === "invite" };
}
