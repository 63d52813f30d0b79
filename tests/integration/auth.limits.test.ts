import { randomInt, randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createAuth } from "@/lib/auth/auth";
import type { AuthLimits } from "@/lib/auth/auth-limits";
import { db } from "@/lib/db/client";

const BASE = "http://localhost:3000";
const PROXY = "10.20.30.40";

const LIMITS: AuthLimits = {
  signInPerAddress: { max: 5, windowSeconds: 60 },
  signInPerAccount: { max: 4, windowSeconds: 60 },
  lockout: { failures: 3, windowSeconds: 60, lockSeconds: 60 },
  signUpPerAddress: { max: 50, windowSeconds: 60 },
};

/** The limits on, as in production (WEFT_AUTH_RATE_LIMIT defaults to true), with small budgets. */
const guarded = createAuth({ rateLimit: true, trustedProxies: ["10.0.0.0/8"], limits: LIMITS });

const uniqueEmail = () => `limits-${randomUUID().slice(0, 8)}@example.test`;
/** A fresh public address per call (documentation ranges), so reruns within a window never collide. */
const freshAddress = () => `${randomInt(1, 223)}.${randomInt(0, 255)}.${randomInt(0, 255)}.${randomInt(1, 254)}`;

/**
 * POSTs to the real better-auth handler. `forwardedFor` is the X-Forwarded-For the handler
 * receives in production: whatever the client sent, then the socket's peer appended by
 * lib/auth/peer-address-hook.ts, so its last entry is always the peer.
 */
function post(path: string, body: unknown, forwardedFor: string, instance = guarded) {
  return instance.handler(
    new Request(`${BASE}/api/auth${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: BASE, "x-forwarded-for": forwardedFor, "user-agent": "limits-test" },
      body: JSON.stringify(body),
    }),
  );
}

const signIn = (email: string, password: string, forwardedFor: string) => post("/sign-in/email", { email, password }, forwardedFor);

async function signUp(email: string): Promise<string> {
  const response = await post("/sign-up/email", { email, password: "correct-horse-1", name: "Limited" }, freshAddress());
  expect(response.status).toBe(200);
  return (await db().user.findUniqueOrThrow({ where: { email } })).id;
}

afterAll(async () => {
  await db().$disconnect();
});

describe("sign-in limit per client address", () => {
  it("rotating X-Forwarded-For does not bypass the limit when the peer is not a trusted proxy", async () => {
    const peer = freshAddress();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const spoofed = `${freshAddress()}, ${freshAddress()}`;
      statuses.push((await signIn(uniqueEmail(), "wrong-password-1", `${spoofed}, ${peer}`)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  });

  it("answers 429 with Retry-After and a message", async () => {
    const peer = freshAddress();
    for (let i = 0; i < LIMITS.signInPerAddress.max; i++) await signIn(uniqueEmail(), "wrong-password-1", peer);
    const limited = await signIn(uniqueEmail(), "wrong-password-1", peer);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ code: "TOO_MANY_ATTEMPTS", message: expect.stringContaining("Try again") });
  });

  it("honours a trusted proxy's X-Forwarded-For: two clients behind it get a budget each", async () => {
    const [first, second] = [freshAddress(), freshAddress()];
    for (let i = 0; i < LIMITS.signInPerAddress.max; i++) {
      expect((await signIn(uniqueEmail(), "wrong-password-1", `${first}, ${PROXY}`)).status).toBe(401);
    }
    expect((await signIn(uniqueEmail(), "wrong-password-1", `${first}, ${PROXY}`)).status).toBe(429);
    // Spoofing an entry left of the real client changes nothing: the proxy appended `first`.
    expect((await signIn(uniqueEmail(), "wrong-password-1", `${freshAddress()}, ${first}, ${PROXY}`)).status).toBe(429);
    expect((await signIn(uniqueEmail(), "wrong-password-1", `${second}, ${PROXY}`)).status).toBe(401);
  });

  it("two different clients do not share a bucket", async () => {
    const [first, second] = [freshAddress(), freshAddress()];
    for (let i = 0; i < LIMITS.signInPerAddress.max; i++) await signIn(uniqueEmail(), "wrong-password-1", first);
    expect((await signIn(uniqueEmail(), "wrong-password-1", first)).status).toBe(429);
    const email = uniqueEmail();
    await signUp(email);
    expect((await signIn(email, "correct-horse-1", second)).status).toBe(200);
  });
});

describe("sign-in limit per account", () => {
  it("limits attempts for one email even when each comes from another address", async () => {
    // A lockout threshold out of reach, so the per-account budget is what answers.
    const noLockout = createAuth({ rateLimit: true, limits: { ...LIMITS, lockout: { failures: 100, windowSeconds: 60, lockSeconds: 60 } } });
    const email = uniqueEmail();
    const statuses: number[] = [];
    for (let i = 0; i < LIMITS.signInPerAccount.max + 2; i++) {
      statuses.push((await post("/sign-in/email", { email, password: `wrong-${i}-password` }, freshAddress(), noLockout)).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429]);
  });
});

describe("account lockout", () => {
  it("locks an account after repeated failures: the right password is refused and the lock is audited", async () => {
    const email = uniqueEmail();
    const userId = await signUp(email);
    const attacker = freshAddress();
    for (let i = 0; i < LIMITS.lockout.failures; i++) {
      expect((await signIn(email, `wrong-password-${i}`, `${attacker}, ${PROXY}`)).status).toBe(401);
    }
    const refused = await signIn(email, "correct-horse-1", freshAddress());
    expect(refused.status).toBe(423);
    expect(refused.headers.getSetCookie().join(";")).not.toContain("session_token=");
    const body = await refused.json();
    expect(body).toMatchObject({ code: "ACCOUNT_LOCKED" });
    expect(body.message).toMatch(/locked .* Try again in 1 minute/);

    const locked = await db().auditEvent.findMany({ where: { action: "auth.sign_in.locked", targetId: userId } });
    expect(locked).toHaveLength(1);
    expect(locked[0]).toMatchObject({ actorType: "anonymous", targetType: "user", ip: attacker, userAgent: "limits-test" });
    expect(locked[0]!.metadata).toMatchObject({ email, failures: LIMITS.lockout.failures, lockSeconds: 60 });
    expect(await db().auditEvent.count({ where: { action: "auth.sign_in.failed", targetId: userId } })).toBe(LIMITS.lockout.failures);
  });

  it("locks an unknown email the same way (the lock tells nothing about which accounts exist)", async () => {
    const email = uniqueEmail();
    for (let i = 0; i < LIMITS.lockout.failures; i++) await signIn(email, `wrong-password-${i}`, freshAddress());
    const refused = await signIn(email, "whatever-password", freshAddress());
    expect(refused.status).toBe(423);
    expect(await db().auditEvent.count({ where: { action: "auth.sign_in.locked", targetType: "email", targetId: email } })).toBe(1);
  });

  it("a success clears the failures and is audited", async () => {
    const email = uniqueEmail();
    const userId = await signUp(email);
    for (let i = 0; i < LIMITS.lockout.failures - 1; i++) await signIn(email, `wrong-password-${i}`, freshAddress());
    expect((await signIn(email, "correct-horse-1", freshAddress())).status).toBe(200);
    // Without the reset this would be the failure that locks the account.
    expect((await signIn(email, "wrong-password-x", freshAddress())).status).toBe(401);
    expect(await db().auditEvent.count({ where: { action: "auth.sign_in.locked", targetId: userId } })).toBe(0);
    const lastFailure = await db().auditEvent.findFirstOrThrow({ where: { action: "auth.sign_in.failed", targetId: userId }, orderBy: { createdAt: "desc" } });
    expect(lastFailure.metadata).toMatchObject({ failures: 1 });
    expect(await db().auditEvent.count({ where: { action: "auth.sign_in.succeeded", actorUserId: userId } })).toBe(1);
  });
});
