import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as route from "@/app/api/network-allow-list/route";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { db } from "@/lib/db/client";
import { routeRequest, signUpUser } from "./helpers/session";

/** /api/network-allow-list: everyone in the workspace reads it, admins and owners change it, refused entries are named. */

let owner: { cookie: string; workspaceId: string };
let developerCookie: string;
let adminCookie: string;
let strangerCookie: string;
const PATH = "/api/network-allow-list";

beforeAll(async () => {
  owner = await signUpUser("Net Owner");
  strangerCookie = (await signUpUser("Net Stranger")).cookie;
  for (const [role, set] of [
    ["developer", (c: string) => (developerCookie = c)],
    ["admin", (c: string) => (adminCookie = c)],
  ] as const) {
    const user = await signUpUser(`Net ${role}`);
    await db().membership.create({ data: { userId: user.userId, workspaceId: owner.workspaceId, role } });
    set(`${user.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}`);
  }
});

afterAll(async () => {
  await db().$disconnect();
});

const put = (cookie: string | null, allowList: unknown) => route.PUT(routeRequest("PUT", PATH, cookie, { allowList }));
const get = async (cookie: string) => (await (await route.GET(routeRequest("GET", PATH, cookie))).json()) as { allowList: string[] };

describe(PATH, () => {
  it("lets admins replace the list and developers only read it", async () => {
    expect((await put(null, [])).status).toBe(401);
    expect((await put(developerCookie, ["10.0.0.0/8"])).status).toBe(403);
    const saved = await put(adminCookie, ["127.0.0.1:4010", "10.20.0.0/16", "api.internal:8443"]);
    expect(saved.status).toBe(200);
    expect(await get(developerCookie)).toEqual({ allowList: ["127.0.0.1:4010", "10.20.0.0/16", "api.internal:8443"] });
    expect((await db().workspace.findUniqueOrThrow({ where: { id: owner.workspaceId } })).networkAllowList).toHaveLength(3);
  });

  it("refuses catch-alls, metadata endpoints and malformed entries with a 400 naming each, and keeps the old list", async () => {
    const refused = await put(owner.cookie, ["0.0.0.0/0", "::/0", "169.254.169.254", "metadata.google.internal", "fd00:ec2::254", "ok.internal"]);
    expect(refused.status).toBe(400);
    const { error } = (await refused.json()) as { error: { message: string } };
    for (const entry of ["0.0.0.0/0", "::/0", "169.254.169.254", "metadata.google.internal", "fd00:ec2::254"]) expect(error.message).toContain(`"${entry}"`);
    expect(error.message).not.toContain("ok.internal");
    expect(error.message).toMatch(/too broad.*cloud metadata endpoint/s);
    expect((await put(owner.cookie, "10.0.0.0/8")).status).toBe(400);
    expect((await get(owner.cookie)).allowList).toContain("127.0.0.1:4010");
  });

  it("is per workspace: a stranger sees an empty list of their own", async () => {
    expect(await get(strangerCookie)).toEqual({ allowList: [] });
  });
});
