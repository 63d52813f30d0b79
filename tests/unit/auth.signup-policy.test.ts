import { describe, expect, it } from "vitest";
import { decideSignUp, signUpNotice, type SignUpMode } from "@/lib/auth/signup-policy";
import { EnvSchema } from "@/lib/env";

/** The sign-up decision per WEFT_SIGNUP mode (the HTTP path is in tests/integration/auth.signup-policy.test.ts). */

const policy = (mode: SignUpMode, hasUsers: boolean, invited: string[] = []) => ({
  mode,
  hasUsers: async () => hasUsers,
  // An invitation as the policy sees it: the email and its link's token ("token-<email>" here).
  isInvited: async (email: string, token: string | null) => invited.includes(email) && token === `token-${email}`,
});

describe("sign-up policy", () => {
  it("WEFT_SIGNUP defaults to invite and accepts only open, invite and closed", () => {
    const required = { WEFT_SECRET_KEYS: "k:x", BETTER_AUTH_SECRET: "0123456789abcdef" };
    expect(EnvSchema.parse(required).WEFT_SIGNUP).toBe("invite");
    expect(EnvSchema.parse({ ...required, WEFT_SIGNUP: "closed" }).WEFT_SIGNUP).toBe("closed");
    expect(EnvSchema.safeParse({ ...required, WEFT_SIGNUP: "anyone" }).success).toBe(false);
  });

  it("allows the first account in every mode, then only what the mode says", async () => {
    for (const mode of ["open", "invite", "closed"] as const) expect(await decideSignUp("a@x.test", policy(mode, false))).toEqual({ allowed: true });
    expect(await decideSignUp("a@x.test", policy("open", true))).toEqual({ allowed: true });
    expect(await decideSignUp("a@x.test", policy("invite", true))).toMatchObject({ allowed: false, code: "SIGN_UP_BY_INVITATION_ONLY" });
    expect(await decideSignUp("a@x.test", policy("closed", true))).toMatchObject({ allowed: false, code: "SIGN_UP_CLOSED" });
  });

  it("invite lets an invited email in with its link's token, compared in lower case; closed does not", async () => {
    expect(await decideSignUp(" Ada@X.test", policy("invite", true, ["ada@x.test"]), "token-ada@x.test")).toEqual({ allowed: true });
    expect(await decideSignUp("ada@x.test", policy("invite", true, ["ada@x.test"]))).toMatchObject({ allowed: false, code: "SIGN_UP_BY_INVITATION_ONLY" });
    expect(await decideSignUp("ada@x.test", policy("closed", true, ["ada@x.test"]), "token-ada@x.test")).toMatchObject({ allowed: false });
  });

  it("the sign-up page's notice", () => {
    expect(signUpNotice("open", true)).toBeNull();
    expect(signUpNotice("closed", false)).toBeNull();
    expect(signUpNotice("invite", true)).toContain("Sign-up is by invitation only");
    expect(signUpNotice("closed", true)).toContain("Sign-up is closed");
  });
});
