import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { auth } from "@/lib/auth/auth";
import { authenticate, parseJson, withMember } from "@/lib/auth/http";
import { resolveMember } from "@/lib/auth/resolve";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { db } from "@/lib/db/client";

const BASE = "http://localhost:3000";
const uniqueEmail = () => `auth-${randomUUID().slice(0, 8)}@example.test`;

/** POSTs JSON to the real better-auth handler, as the browser client does. */
function post(path: string, body: unknown, headers: Record<string, string> = {}) {
  return auth().handler(
    new Request(`${BASE}/api/auth${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: BASE, ...headers },
      body: JSON.stringify(body),
    }),
  );
}

/** "name=value" pairs from a response's Set-Cookie headers, ready for a Cookie header. */
function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0])
    .join("; ");
}

/** Signs up, then in (sign-up never signs in, against account enumeration); the session cookie. */
async function signUpAndIn(email: string, name: string): Promise<string> {
  expect((await post("/sign-up/email", { email, password: "correct-horse-1", name })).status).toBe(200);
  const signIn = await post("/sign-in/email", { email, password: "correct-horse-1" });
  expect(signIn.status).toBe(200);
  return cookieHeader(signIn);
}

afterAll(async () => {
  await db().$disconnect();
});

describe("sign-up", () => {
  it("creates the user, a personal workspace and an owner membership", async () => {
    const email = uniqueEmail();
    const result = await auth().api.signUpEmail({ body: { email, password: "correct-horse-1", name: "Ada Lovelace" } });
    expect(result.user.email).toBe(email);

    const user = await db().user.findUniqueOrThrow({ where: { email }, include: { memberships: { include: { workspace: true } } } });
    expect(user.name).toBe("Ada Lovelace");
    expect(user.memberships).toHaveLength(1);
    expect(user.memberships[0].role).toBe("owner");
    expect(user.memberships[0].workspace.name).toBe("Ada Lovelace's workspace");

    const account = await db().account.findFirstOrThrow({ where: { userId: user.id } });
    expect(account.providerId).toBe("credential");
    expect(account.password).toBeTruthy();
    expect(account.password).not.toContain("correct-horse-1");
  });

  it("never creates a second account with the same email, and does not sign the caller in as its owner", async () => {
    const email = uniqueEmail();
    await auth().api.signUpEmail({ body: { email, password: "correct-horse-1", name: "First" } });
    const again = await post("/sign-up/email", { email, password: "another-pass-2", name: "Second" });
    expect(again.status).toBe(200);
    expect(cookieHeader(again)).not.toContain("session_token=");
    expect(await db().user.count({ where: { email } })).toBe(1);
    expect(await db().membership.count({ where: { user: { email } } })).toBe(1);
  });

  it("refuses a password shorter than 8 characters", async () => {
    const email = uniqueEmail();
    const response = await post("/sign-up/email", { email, password: "short", name: "Shorty" });
    expect(response.status).toBe(400);
    expect(await db().user.count({ where: { email } })).toBe(0);
  });
});

describe("sign-in", () => {
  it("signs in with the right password and resolves the session to an owner member", async () => {
    const email = uniqueEmail();
    await post("/sign-up/email", { email, password: "correct-horse-1", name: "Grace" });

    const response = await post("/sign-in/email", { email, password: "correct-horse-1" });
    expect(response.status).toBe(200);
    const cookie = cookieHeader(response);
    expect(cookie).toContain("session_token");

    const member = await resolveMember(new Headers({ cookie }));
    const user = await db().user.findUniqueOrThrow({ where: { email }, include: { memberships: true } });
    expect(member).toEqual({
      userId: user.id,
      email,
      name: "Grace",
      workspaceId: user.memberships[0].workspaceId,
      workspaceName: "Grace's workspace",
      role: "owner",
    });
  });

  it("rejects a wrong password without a session cookie", async () => {
    const email = uniqueEmail();
    await post("/sign-up/email", { email, password: "correct-horse-1", name: "Linus" });
    const response = await post("/sign-in/email", { email, password: "wrong-password-9" });
    expect(response.status).toBe(401);
    expect(cookieHeader(response)).not.toContain("session_token=");
    await expect(auth().api.signInEmail({ body: { email, password: "wrong-password-9" } })).rejects.toThrow();
  });

  it("rejects an unknown email", async () => {
    const response = await post("/sign-in/email", { email: uniqueEmail(), password: "whatever-123" });
    expect(response.status).toBe(401);
  });

  it("signs out: the old cookie no longer resolves to a member", async () => {
    const email = uniqueEmail();
    const cookie = await signUpAndIn(email, "Out");
    expect(await resolveMember(new Headers({ cookie }))).not.toBeNull();
    const out = await post("/sign-out", {}, { cookie });
    expect(out.status).toBe(200);
    expect(await resolveMember(new Headers({ cookie }))).toBeNull();
  });
});

describe("workspace resolution", () => {
  it("uses the weft_workspace cookie when the user belongs to that workspace, else the oldest", async () => {
    const email = uniqueEmail();
    const cookie = await signUpAndIn(email, "Multi");
    const user = await db().user.findUniqueOrThrow({ where: { email } });
    const other = await db().workspace.create({ data: { name: "Team space" } });
    await db().membership.create({ data: { userId: user.id, workspaceId: other.id, role: "viewer" } });
    const stranger = await db().workspace.create({ data: { name: "Not mine" } });

    const personal = await resolveMember(new Headers({ cookie }));
    expect(personal?.workspaceName).toBe("Multi's workspace");
    expect(personal?.role).toBe("owner");

    const team = await resolveMember(new Headers({ cookie: `${cookie}; ${WORKSPACE_COOKIE}=${other.id}` }));
    expect(team?.workspaceId).toBe(other.id);
    expect(team?.role).toBe("viewer");

    const notMine = await resolveMember(new Headers({ cookie: `${cookie}; ${WORKSPACE_COOKIE}=${stranger.id}` }));
    expect(notMine?.workspaceName).toBe("Multi's workspace");
  });

  it("heals a signed-in user who has no membership by creating their personal workspace", async () => {
    const email = uniqueEmail();
    const cookie = await signUpAndIn(email, "Orphan");
    await db().membership.deleteMany({ where: { user: { email } } });
    const member = await resolveMember(new Headers({ cookie }));
    expect(member?.role).toBe("owner");
    expect(await db().membership.count({ where: { user: { email } } })).toBe(1);
  });
});

describe("route helpers", () => {
  async function signedInCookie(role?: "viewer") {
    const email = uniqueEmail();
    const cookie = await signUpAndIn(email, "Route");
    if (role) await db().membership.updateMany({ where: { user: { email } }, data: { role } });
    return cookie;
  }

  it("authenticate: 401 when signed out, 403 when the role may not take the action, the member otherwise", async () => {
    const anonymous = await authenticate(new Request(`${BASE}/api/x`), "workflow.read");
    expect(anonymous).toBeInstanceOf(Response);
    expect((anonymous as Response).status).toBe(401);
    expect(await (anonymous as Response).json()).toMatchObject({ error: { code: "unauthorized" } });

    const viewerCookie = await signedInCookie("viewer");
    const denied = await authenticate(new Request(`${BASE}/api/x`, { headers: { cookie: viewerCookie } }), "workflow.edit");
    expect((denied as Response).status).toBe(403);
    expect(await (denied as Response).json()).toMatchObject({ error: { code: "forbidden" } });

    const allowed = await authenticate(new Request(`${BASE}/api/x`, { headers: { cookie: viewerCookie } }), "workflow.read");
    expect(allowed).not.toBeInstanceOf(Response);
    expect((allowed as { role: string }).role).toBe("viewer");
  });

  it("withMember runs the handler only for a member whose role allows the action", async () => {
    const handler = withMember("workflow.edit", async (_request, member, context: { id: string }) =>
      Response.json({ who: member.email, id: context.id }),
    );
    const ownerCookie = await signedInCookie();
    const ok = await handler(new Request(`${BASE}/api/x`, { headers: { cookie: ownerCookie } }), { id: "w1" });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ id: "w1" });
    const viewer = await handler(new Request(`${BASE}/api/x`, { headers: { cookie: await signedInCookie("viewer") } }), { id: "w1" });
    expect(viewer.status).toBe(403);
  });

  it("parseJson: 400 with zod issues, 400 on malformed JSON, 413 on a large body", async () => {
    const schema = z.object({ name: z.string().min(1), count: z.number().int() });
    const ok = await parseJson(new Request(BASE, { method: "POST", body: JSON.stringify({ name: "a", count: 2 }) }), schema);
    expect(ok).toEqual({ name: "a", count: 2 });

    const bad = (await parseJson(new Request(BASE, { method: "POST", body: JSON.stringify({ name: "", count: "x" }) }), schema)) as Response;
    expect(bad.status).toBe(400);
    const body = await bad.json();
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.issues.map((issue: { path: string }) => issue.path).sort()).toEqual(["count", "name"]);

    const malformed = (await parseJson(new Request(BASE, { method: "POST", body: "{not json" }), schema)) as Response;
    expect(malformed.status).toBe(400);

    const huge = (await parseJson(new Request(BASE, { method: "POST", body: "x".repeat(3 * 1024 * 1024) }), schema)) as Response;
    expect(huge.status).toBe(413);
  });
});

describe("post-sign-in destination", () => {
  it("keeps same-site paths and refuses open redirects", async () => {
    const { safeNextPath } = await import("@/lib/auth/next-path");
    expect(safeNextPath("/runs/abc?x=1")).toBe("/runs/abc?x=1");
    expect(safeNextPath(undefined)).toBe("/workflows");
    expect(safeNextPath("https://evil.example")).toBe("/workflows");
    expect(safeNextPath("//evil.example/path")).toBe("/workflows");
    expect(safeNextPath("/\\evil.example")).toBe("/workflows");
    expect(safeNextPath("/sign-in?next=/x")).toBe("/workflows");
  });
});

describe("sign-up without account enumeration", () => {
  it("answers an existing email exactly as a new one: same status, same shape, no session for either", async () => {
    const existing = uniqueEmail();
    await auth().api.signUpEmail({ body: { email: existing, password: "correct-horse-1", name: "Owner" } });
    const fresh = uniqueEmail();

    const forExisting = await post("/sign-up/email", { email: existing, password: "guessing-pass-2", name: "Probe" });
    const forNew = await post("/sign-up/email", { email: fresh, password: "guessing-pass-2", name: "Probe" });

    expect(forExisting.status).toBe(forNew.status);
    expect(forExisting.status).toBe(200);
    expect(forExisting.headers.getSetCookie()).toEqual(forNew.headers.getSetCookie());
    const [a, b] = [await forExisting.json(), await forNew.json()];
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    expect(Object.keys(a.user).sort()).toEqual(Object.keys(b.user).sort());
    expect(a).toMatchObject({ token: null, user: { email: existing, name: "Probe", emailVerified: false } });
    expect(b).toMatchObject({ token: null, user: { email: fresh, name: "Probe", emailVerified: false } });
    // The probe did not change the existing account: its own password still works, the probe's does not.
    expect((await post("/sign-in/email", { email: existing, password: "correct-horse-1" })).status).toBe(200);
    expect((await post("/sign-in/email", { email: existing, password: "guessing-pass-2" })).status).toBe(401);
    expect((await post("/sign-in/email", { email: fresh, password: "guessing-pass-2" })).status).toBe(200);
  });
});
