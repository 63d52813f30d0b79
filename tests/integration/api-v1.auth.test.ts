import { beforeAll, describe, expect, it } from "vitest";
import * as apiKeyRoute from "@/app/api/api-keys/[id]/route";
import * as apiKeysRoute from "@/app/api/api-keys/route";
import { publishWorkflow } from "@/lib/workflows/versions";
import { createWorkflow } from "@/lib/workflows/service";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import type { Member } from "@/lib/auth/member";
import { WeftApiError } from "@/lib/client/weft-client";
import { db } from "@/lib/db/client";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { apiRequest, clientFor, createKey, routeFetch } from "./helpers/api-v1";
import { createTestMember } from "./helpers/members";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";

/** Who may call /api/v1 and manage keys. No worker needed: nothing here waits for a run to finish. */
let member: Member;
let stranger: Member;
let workflowId: string;
let secret: string;
const ticketGraph = exampleWorkflows({ providerId: "unused", model: "unused" })[1].graph;

const errorOf = async (response: Response) => ((await response.json()) as { error: { code: string; message: string; issues?: { path: string; message: string }[] } }).error;

beforeAll(async () => {
  member = await createTestMember("developer");
  stranger = await createTestMember("owner");
  workflowId = (await createWorkflow(member, { name: "Ticket", graph: ticketGraph })).id;
  await publishWorkflow(member, workflowId);
  secret = (await createKey(member)).secret;
});

describe("API key authentication", () => {
  const list = (authorization: string | null) => routeFetch(apiRequest("GET", "/api/v1/workflows", authorization));

  it("answers 401 without a key, with a malformed or unknown key, and for a revoked key", async () => {
    const none = await list(null);
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toContain("Bearer");
    expect(await errorOf(none)).toMatchObject({ code: "unauthorized" });
    expect((await list("Basic abc")).status).toBe(401);
    expect((await list("Bearer not-a-weft-key")).status).toBe(401);
    expect((await list(`Bearer weft_${"x".repeat(43)}`)).status).toBe(401);

    const revoked = await createKey(member);
    expect((await list(`Bearer ${revoked.secret}`)).status).toBe(200);
    await db().apiKey.update({ where: { id: revoked.id }, data: { revokedAt: new Date() } });
    const after = await list(`Bearer ${revoked.secret}`);
    expect(after.status).toBe(401);
    expect((await errorOf(after)).message).toMatch(/revoked/);
  });

  it("answers 403 when the key lacks the scope", async () => {
    const readOnly = await createKey(member, ["workflows:read"]);
    const client = clientFor(readOnly.secret);
    expect((await client.listWorkflows()).map((w) => w.id)).toContain(workflowId);
    const failure = await client.startRun(workflowId, { inputs: {} }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WeftApiError);
    expect(failure).toMatchObject({ status: 403, code: "forbidden" });
    expect((failure as Error).message).toContain("runs:write");
    await expect(clientFor(readOnly.secret).getRun("anything")).rejects.toMatchObject({ status: 403 });
  });

  it("hides other workspaces: their workflows and runs answer 404 and are not listed", async () => {
    const strangerClient = clientFor((await createKey(stranger)).secret);
    expect(await strangerClient.listWorkflows()).toEqual([]);
    await expect(strangerClient.startRun(workflowId, { inputs: {} })).rejects.toMatchObject({ status: 404, code: "not_found" });
    const { runId } = await clientFor(secret).startRun(workflowId, { inputs: { customer: "Ada", message: "hi", priority: 1 } });
    await expect(strangerClient.getRun(runId)).rejects.toMatchObject({ status: 404 });
    const events = await routeFetch(apiRequest("GET", `/api/v1/runs/${runId}/events`, `Bearer ${(await createKey(stranger)).secret}`));
    expect(events.status).toBe(404);
  });

  it("records when a key was last used", async () => {
    const fresh = await createKey(member);
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: fresh.id } })).lastUsedAt).toBeNull();
    await clientFor(fresh.secret).listWorkflows();
    const used = await db().apiKey.findUniqueOrThrow({ where: { id: fresh.id } });
    expect(used.lastUsedAt).toBeInstanceOf(Date);
    expect(Date.now() - used.lastUsedAt!.getTime()).toBeLessThan(10_000);
  });

  it("stores only the hash and prefix of a key", async () => {
    const rows = await db().apiKey.findMany({ where: { workspaceId: member.workspaceId } });
    for (const row of rows) {
      expect(row.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.prefix).toMatch(/^weft_.{7}$/);
      expect(JSON.stringify(row)).not.toContain(secret);
    }
  });
});

describe("keys act with their creator's current role", () => {
  const httpTool = (name: string) => ({ kind: "http" as const, name, inputSchema: { type: "object" }, config: { url: "https://example.com/x" } });

  it("a key whose creator was demoted to viewer no longer creates tools or starts runs (403 naming scope and role), and works again when promoted", async () => {
    const creator = await createTestMember("developer");
    const id = (await createWorkflow(creator, { name: "Demoted", graph: ticketGraph })).id;
    await publishWorkflow(creator, id);
    const client = clientFor((await createKey(creator, ["runs:write", "tools:write"])).secret);
    const setRole = (role: Member["role"]) =>
      db().membership.update({ where: { workspaceId_userId: { workspaceId: creator.workspaceId, userId: creator.userId } }, data: { role } });

    await setRole("viewer");
    const tool = await client.registerTool(httpTool("demoted_tool")).catch((e: unknown) => e);
    expect(tool).toMatchObject({ status: 403, code: "forbidden" });
    expect((tool as Error).message).toMatch(/tools:write scope.*developer role.*now viewer/);
    const run = await client.startRun(id, { inputs: { customer: "Ada", message: "hi", priority: 1 } }).catch((e: unknown) => e);
    expect(run).toMatchObject({ status: 403 });
    expect((run as Error).message).toMatch(/runs:write scope.*editor role.*now viewer/);
    expect(await db().tool.count({ where: { workspaceId: creator.workspaceId } })).toBe(0);
    expect(await db().run.count({ where: { workspaceId: creator.workspaceId } })).toBe(0);

    // An editor may start runs but not register tools: the lesser of scopes and role, per action.
    await setRole("editor");
    await expect(client.registerTool(httpTool("editor_tool"))).rejects.toMatchObject({ status: 403 });
    expect((await client.startRun(id, { inputs: { customer: "Ada", message: "hi", priority: 1 } })).runId).toBeTruthy();
    await setRole("developer");
    expect((await client.registerTool(httpTool("developer_tool"))).name).toBe("developer_tool");
  });

  it("a key whose creator left the workspace is disabled: 401 saying so, and Settings lists it as disabled", async () => {
    const creator = await createTestMember("developer");
    const key = await createKey(creator, ["workflows:read"]);
    await db().membership.delete({ where: { workspaceId_userId: { workspaceId: creator.workspaceId, userId: creator.userId } } });
    const failure = await clientFor(key.secret).listWorkflows().catch((e: unknown) => e);
    expect(failure).toMatchObject({ status: 401, code: "unauthorized" });
    expect((failure as Error).message).toMatch(/disabled: The member who created this key is no longer a member/);
    const row = await db().apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.disabledAt).toBeInstanceOf(Date);
    expect(row.revokedAt).toBeNull();
  });
});

describe("request validation", () => {
  const start = (body: unknown) => routeFetch(apiRequest("POST", `/api/v1/workflows/${workflowId}/runs`, `Bearer ${secret}`, body));

  it("answers 400 invalid_request with the issues for a malformed body", async () => {
    const bad = await start({ inputs: "nope", mode: "later", timeoutMs: 120_000, extra: true });
    expect(bad.status).toBe(400);
    const error = await errorOf(bad);
    expect(error.code).toBe("invalid_request");
    expect(error.issues!.map((i) => i.path).sort()).toEqual(["", "inputs", "mode", "timeoutMs"]);
    const notJson = await start("{oops");
    expect(notJson.status).toBe(400);
    expect((await errorOf(notJson)).code).toBe("invalid_request");
  });

  it("answers 400 invalid_input when the inputs do not match the Start node", async () => {
    const wrong = await start({ inputs: { customer: "Ada", priority: "high" } });
    expect(wrong.status).toBe(400);
    const error = (await wrong.json()) as { error: { code: string; problems: { field: string }[] } };
    expect(error.error.code).toBe("invalid_input");
    expect(error.error.problems.map((p) => p.field).sort()).toEqual(["message", "priority"]);
  });

  it("answers 409 not_published for a workflow without versions or an unknown pinned version", async () => {
    const draftOnly = (await createWorkflow(member, { name: "Draft only", graph: ticketGraph })).id;
    const client = clientFor(secret);
    const unpublished = await client.startRun(draftOnly, { inputs: {} }).catch((e: unknown) => e);
    expect(unpublished).toMatchObject({ status: 409, code: "not_published" });
    expect((unpublished as Error).message).toMatch(/not been published/);
    await expect(client.startRun(workflowId, { inputs: {}, version: 99 })).rejects.toMatchObject({ status: 409, code: "not_published" });
    expect((await client.listWorkflows()).map((w) => w.id)).not.toContain(draftOnly);
  });
});

describe("API key management routes", () => {
  it("creates a key whose secret is shown once, lists keys without secrets, revokes; below developer is refused", async () => {
    const owner = await signUpUser("Keys Owner");
    const editor = await signUpUser("Keys Editor");
    await db().membership.create({ data: { userId: editor.userId, workspaceId: owner.workspaceId, role: "editor" } });
    const editorCookie = `${editor.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}`;

    const created = await apiKeysRoute.POST(routeRequest("POST", "/api/api-keys", owner.cookie, { name: "CI", scopes: ["runs:write", "runs:read"] }));
    expect(created.status).toBe(201);
    const body = (await created.json()) as { key: { id: string; prefix: string; scopes: string[] }; secret: string };
    expect(body.secret).toMatch(/^weft_[A-Za-z0-9_-]{43}$/);
    expect(body.secret.startsWith(body.key.prefix)).toBe(true);
    expect(body.key.scopes).toEqual(["runs:write", "runs:read"]);

    const listed = await (await apiKeysRoute.GET(routeRequest("GET", "/api/api-keys", owner.cookie))).text();
    expect(listed).toContain(body.key.prefix);
    expect(listed).not.toContain(body.secret);
    expect(listed).not.toContain("hash");

    const badScopes = await apiKeysRoute.POST(routeRequest("POST", "/api/api-keys", owner.cookie, { name: "x", scopes: ["admin"] }));
    expect(badScopes.status).toBe(400);
    expect((await apiKeysRoute.GET(routeRequest("GET", "/api/api-keys", editorCookie))).status).toBe(403);
    expect((await apiKeysRoute.POST(routeRequest("POST", "/api/api-keys", editorCookie, { name: "x", scopes: ["runs:read"] }))).status).toBe(403);

    const strangerCookie = (await signUpUser("Keys Stranger")).cookie;
    expect((await apiKeyRoute.DELETE(routeRequest("DELETE", `/api/api-keys/${body.key.id}`, strangerCookie), routeParams(body.key.id))).status).toBe(404);
    expect((await apiKeyRoute.DELETE(routeRequest("DELETE", `/api/api-keys/${body.key.id}`, owner.cookie), routeParams(body.key.id))).status).toBe(204);
    await expect(clientFor(body.secret).getRun("x")).rejects.toMatchObject({ status: 401 });
  });
});
