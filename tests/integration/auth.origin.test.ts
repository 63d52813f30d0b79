import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as workflowsRoute from "@/app/api/workflows/route";
import { auth } from "@/lib/auth/auth";
import { resolveMember } from "@/lib/auth/resolve";
import { db } from "@/lib/db/client";
import { BASE_URL, signUpUser } from "./helpers/session";

let cookie: string;
let workspaceId: string;

beforeAll(async () => {
  ({ cookie, workspaceId } = await signUpUser("Origin"));
});

afterAll(async () => {
  await db().$disconnect();
});

/** A signed-in POST to the real /api/workflows handler, with the given browser headers. */
function create(name: string, headers: Record<string, string>) {
  return workflowsRoute.POST(
    new Request(`${BASE_URL}/api/workflows`, {
      method: "POST",
      headers: { cookie, "content-type": "application/json", ...headers },
      body: JSON.stringify({ name }),
    }),
  );
}

const count = (name: string) => db().workflow.count({ where: { workspaceId, name } });

describe("state-changing internal routes refuse cross-origin requests", () => {
  it("answers 403 to a cross-origin POST that carries the session cookie, and changes nothing", async () => {
    const response = await create("From evil", { origin: "https://evil.example" });
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: "cross_origin" } });
    expect(await count("From evil")).toBe(0);
  });

  it("refuses a cross-origin Referer without Origin, and a cross-site fetch without either", async () => {
    expect((await create("From referer", { referer: "https://evil.example/page" })).status).toBe(403);
    expect((await create("From fetch metadata", { "sec-fetch-site": "cross-site" })).status).toBe(403);
    expect(await count("From referer")).toBe(0);
  });

  it("accepts the same origin (and the configured public URL), and clients that send no Origin", async () => {
    expect((await create("Same origin", { origin: BASE_URL, "sec-fetch-site": "same-origin" })).status).toBe(201);
    expect((await create("No origin", {})).status).toBe(201);
    expect(await count("Same origin")).toBe(1);
    expect(await count("No origin")).toBe(1);
  });

  it("leaves reads alone", async () => {
    const response = await workflowsRoute.GET(new Request(`${BASE_URL}/api/workflows`, { headers: { cookie, origin: "https://evil.example" } }));
    expect(response.status).toBe(200);
  });

  it("better-auth's own routes (exempt from our check) refuse a cross-origin POST with a cookie themselves", async () => {
    const signOut = await auth().handler(
      new Request(`${BASE_URL}/api/auth/sign-out`, {
        method: "POST",
        headers: { cookie, origin: "https://evil.example", "content-type": "application/json" },
        body: "{}",
      }),
    );
    expect(signOut.status).toBe(403);
    expect(await resolveMember(new Headers({ cookie }))).not.toBeNull();
  });
});
