import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createAuth } from "@/lib/auth/auth";
import type { SignUpMode } from "@/lib/auth/signup-policy";
import { createDb, type Db } from "@/lib/db/client";
import { ensureDatabase } from "../../scripts/lib/database";
import { integrationEnv } from "../../vitest.config";

/**
 * WEFT_SIGNUP through better-auth's real HTTP handler. "The first account of an empty instance is
 * always allowed" needs an empty instance, so this file signs up into a database of its own
 * (<test database>_signup), emptied before each test, with an auth instance per mode.
 */

const BASE = "http://localhost:3000";
const url = new URL(integrationEnv.DATABASE_URL);
url.pathname = `${url.pathname}_signup`;
let database: Db;

const email = () => `signup-${randomUUID().slice(0, 8)}@example.test`;

function signUp(mode: SignUpMode, address: string) {
  return createAuth({ db: database, signUpMode: mode }).handler(
    new Request(`${BASE}/api/auth/sign-up/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: BASE },
      body: JSON.stringify({ email: address, password: "correct-horse-1", name: "Signer" }),
    }),
  );
}

async function refusal(response: Response): Promise<{ status: number; code: string; message: string }> {
  const body = (await response.json()) as { code: string; message: string };
  return { status: response.status, code: body.code, message: body.message };
}

beforeAll(async () => {
  await ensureDatabase(url.toString(), { reset: true, quiet: true });
  database = createDb(url.toString());
});

beforeEach(async () => {
  await database.$executeRawUnsafe('TRUNCATE "users", "workspaces" CASCADE');
});

afterAll(async () => {
  await database?.$disconnect();
});

describe("WEFT_SIGNUP", () => {
  it("invite: the first account of an empty instance is created, the next is refused as by invitation only", async () => {
    const first = await signUp("invite", email());
    expect(first.status).toBe(200);
    expect(await database.membership.count({ where: { role: "owner" } })).toBe(1);

    const second = await signUp("invite", email());
    expect(await refusal(second)).toEqual({ status: 403, code: "SIGN_UP_BY_INVITATION_ONLY", message: "Sign-up is by invitation only. Ask a workspace admin to invite you." });
    expect(second.headers.getSetCookie().join(";")).not.toContain("session_token=");
    expect(await database.user.count()).toBe(1);
  });

  it("closed: the first account is still allowed, then nobody", async () => {
    const firstEmail = email();
    expect((await signUp("closed", firstEmail)).status).toBe(200);
    expect(await refusal(await signUp("closed", email()))).toMatchObject({ status: 403, code: "SIGN_UP_CLOSED", message: "Sign-up is closed on this instance. Ask its operator for an account." });
    // An existing email gets the same answer as a new one: the policy answers before the duplicate check.
    expect(await refusal(await signUp("closed", firstEmail))).toMatchObject({ status: 403, code: "SIGN_UP_CLOSED" });
    expect(await database.user.count()).toBe(1);
  });

  it("open: anyone signs up and gets a personal workspace", async () => {
    for (const address of [email(), email(), email()]) expect((await signUp("open", address)).status).toBe(200);
    expect(await database.user.count()).toBe(3);
    expect(await database.workspace.count()).toBe(3);
  });

  it("refuses server-side calls too (auth.api, as the seed script signs up)", async () => {
    expect((await signUp("invite", email())).status).toBe(200);
    const api = createAuth({ db: database, signUpMode: "invite" }).api;
    await expect(api.signUpEmail({ body: { email: email(), password: "correct-horse-1", name: "Scripted" } })).rejects.toThrow("Sign-up is by invitation only");
    expect(await database.user.count()).toBe(1);
  });
});
