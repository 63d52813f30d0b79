import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as detailRoute from "@/app/api/providers/[id]/route";
import * as testRoute from "@/app/api/providers/[id]/test/route";
import * as listRoute from "@/app/api/providers/route";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { db } from "@/lib/db/client";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { signUpUser } from "./helpers/session";

const BASE = "http://localhost:3000";
const KEY = "sk-routes-secret-key-0042";

let server: OpenAiServer;
let ownerCookie: string;
let viewerCookie: string;
let strangerCookie: string;

async function signUp(name: string): Promise<string> {
  return (await signUpUser(name)).cookie;
}

function call(method: string, path: string, cookie: string | null, body?: unknown): Request {
  return new Request(`${BASE}${path}`, {
    method,
    headers: { ...(cookie ? { cookie } : {}), ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}

const ctx = (id: string) => ({ params: Promise.resolve({ id }) });

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: KEY });
  ownerCookie = await signUp("Route Owner");
  strangerCookie = await signUp("Route Stranger");
  // A second user who is only a viewer of the owner's workspace.
  const viewerOwnCookie = await signUp("Route Viewer");
  const owner = await db().user.findFirstOrThrow({ where: { name: "Route Owner" }, orderBy: { createdAt: "desc" }, include: { memberships: true } });
  const viewer = await db().user.findFirstOrThrow({ where: { name: "Route Viewer" }, orderBy: { createdAt: "desc" } });
  const workspaceId = owner.memberships[0]!.workspaceId;
  await db().membership.create({ data: { userId: viewer.id, workspaceId, role: "viewer" } });
  viewerCookie = `${viewerOwnCookie}; ${WORKSPACE_COOKIE}=${workspaceId}`;
});
afterAll(async () => {
  await server.close();
});

describe("/api/providers routes", () => {
  it("401s without a session", async () => {
    const response = await listRoute.GET(call("GET", "/api/providers", null), undefined);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "unauthorized" } });
  });

  it("400s with field issues on an invalid body", async () => {
    const response = await listRoute.POST(call("POST", "/api/providers", ownerCookie, { name: "", preset: "nope", baseUrl: "x", models: [] }), undefined);
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; issues: { path: string }[] } };
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.issues.map((i) => i.path).sort()).toEqual(["baseUrl", "models", "name", "preset"]);

    const notJson = await listRoute.POST(call("POST", "/api/providers", ownerCookie, "{oops"), undefined);
    expect(notJson.status).toBe(400);
  });

  it("creates, lists, reads, updates, tests and deletes; the key never comes back", async () => {
    const created = await listRoute.POST(
      call("POST", "/api/providers", ownerCookie, { name: "Routes provider", preset: "custom", baseUrl: server.url, apiKey: KEY, models: ["test-model"] }),
      undefined,
    );
    expect(created.status).toBe(201);
    const view = (await created.json()) as { id: string; hasApiKey: boolean; apiKeyHint: string };
    expect(view).toMatchObject({ hasApiKey: true, apiKeyHint: "0042" });
    const id = view.id;

    const list = await listRoute.GET(call("GET", "/api/providers", ownerCookie), undefined);
    const listText = await list.text();
    expect(list.status).toBe(200);
    expect(listText).toContain(id);
    expect(listText).not.toContain(KEY);

    const read = await detailRoute.GET(call("GET", `/api/providers/${id}`, ownerCookie), ctx(id));
    expect(read.status).toBe(200);
    expect(await read.text()).not.toContain(KEY);

    const patched = await detailRoute.PATCH(call("PATCH", `/api/providers/${id}`, ownerCookie, { models: ["test-model", "json-model"] }), ctx(id));
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ models: ["test-model", "json-model"], hasApiKey: true });

    server.script({ text: "pong" });
    const tested = await testRoute.POST(call("POST", `/api/providers/${id}/test`, ownerCookie, {}), ctx(id));
    expect(tested.status).toBe(200);
    expect(await tested.json()).toMatchObject({ ok: true, model: "test-model" });

    const deleted = await detailRoute.DELETE(call("DELETE", `/api/providers/${id}`, ownerCookie), ctx(id));
    expect(deleted.status).toBe(204);
    const gone = await detailRoute.GET(call("GET", `/api/providers/${id}`, ownerCookie), ctx(id));
    expect(gone.status).toBe(404);
    expect(await gone.json()).toMatchObject({ error: { code: "not_found" } });
  });

  it("lets a viewer list but not change, and hides the workspace from strangers", async () => {
    const created = await listRoute.POST(
      call("POST", "/api/providers", ownerCookie, { name: "Shared provider", preset: "ollama", baseUrl: server.url, models: ["test-model"] }),
      undefined,
    );
    const { id } = (await created.json()) as { id: string };

    const viewerList = await listRoute.GET(call("GET", "/api/providers", viewerCookie), undefined);
    expect(viewerList.status).toBe(200);
    expect(await viewerList.text()).toContain(id);
    const viewerCreate = await listRoute.POST(
      call("POST", "/api/providers", viewerCookie, { name: "Nope", preset: "ollama", baseUrl: server.url, models: ["m"] }),
      undefined,
    );
    expect(viewerCreate.status).toBe(403);
    expect((await detailRoute.DELETE(call("DELETE", `/api/providers/${id}`, viewerCookie), ctx(id))).status).toBe(403);
    expect((await testRoute.POST(call("POST", `/api/providers/${id}/test`, viewerCookie, {}), ctx(id))).status).toBe(403);

    const strangerList = await listRoute.GET(call("GET", "/api/providers", strangerCookie), undefined);
    expect(await strangerList.text()).not.toContain(id);
    for (const response of [
      await detailRoute.GET(call("GET", `/api/providers/${id}`, strangerCookie), ctx(id)),
      await detailRoute.PATCH(call("PATCH", `/api/providers/${id}`, strangerCookie, { name: "Mine now" }), ctx(id)),
      await detailRoute.DELETE(call("DELETE", `/api/providers/${id}`, strangerCookie), ctx(id)),
      await testRoute.POST(call("POST", `/api/providers/${id}/test`, strangerCookie, {}), ctx(id)),
    ]) {
      expect(response.status).toBe(404);
    }
    expect((await db().modelProvider.findUniqueOrThrow({ where: { id } })).name).toBe("Shared provider");
  });
});
