import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { CREATOR_LEFT_REASON } from "@/lib/api-keys/authenticate";
import { API_SCOPES, scopeFor } from "@/lib/api-keys/scopes";
import { ROLES, type Member, type Role } from "@/lib/auth/member";
import { can, minimumRole, refusalMessage } from "@/lib/auth/permissions";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { db } from "@/lib/db/client";
import { createKey } from "./helpers/api-v1";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { validishBody } from "./helpers/route-bodies";
import { discoverRoutes, invokeRoute, type RouteMethod } from "./helpers/route-tree";
import { signUpUser } from "./helpers/session";

/**
 * The role matrix, read from the routes themselves: every route file under app/api (walked from
 * the tree) declares its action through its wrapper, and for each role the route answers 403
 * exactly when the permission table (lib/auth/permissions.ts) says that role may not take it.
 * API keys act with the lesser of their scopes and their creator's current role.
 */

let routes: RouteMethod[];
const cookies = new Map<Role, string>();

type ErrorBody = { error?: { code?: string; message?: string } };

const call = (route: RouteMethod, headers: Record<string, string>) => invokeRoute(route, { valueOf: () => randomUUID(), headers, body: "{}" });

const errorOf = async (response: Response) => ((await response.clone().json().catch(() => ({}))) as ErrorBody).error ?? {};

beforeAll(async () => {
  routes = await discoverRoutes();
  const owner = await signUpUser("Matrix Owner");
  cookies.set("owner", owner.cookie);
  for (const role of ROLES.filter((r) => r !== "owner")) {
    const user = await signUpUser(`Matrix ${role}`);
    await db().membership.create({ data: { userId: user.userId, workspaceId: owner.workspaceId, role } });
    cookies.set(role, `${user.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}`);
  }
});

describe("every route declares who may call it", () => {
  it("finds the route files under app/api", () => {
    expect(routes.length).toBeGreaterThanOrEqual(40);
    expect(routes.map((r) => r.label)).toContain("POST /api/workflows/[id]/publish");
  });

  it("every exported handler was built by withMember, withApiKey or publicRoute (a new route without an action fails here)", () => {
    const undeclared = routes.filter((r) => r.access === null).map((r) => r.label);
    expect(undeclared).toEqual([]);
    for (const route of routes) {
      if (route.access?.kind === "public") expect(route.access.reason.length, route.label).toBeGreaterThan(10);
    }
  });

  it("every public API action is granted by some scope", () => {
    for (const route of routes.filter((r) => r.access?.kind === "apiKey")) {
      if (route.access?.kind !== "apiKey") continue;
      expect(scopeFor(route.access.action), route.label).not.toBeNull();
    }
  });
});

describe("the role matrix of the internal routes", () => {
  it("answers 401 to a signed-out caller on every route that is not public", async () => {
    for (const route of routes.filter((r) => r.access?.kind !== "public")) {
      expect((await call(route, {})).status, route.label).toBe(401);
    }
  });

  it.each(ROLES)("as %s: 403 exactly when the permission table refuses the route's action", async (role) => {
    const mismatches: string[] = [];
    // The MCP server (/api/mcp) is an API-key route outside /api/v1; webhooks authenticate per hook;
    // public chat routes (/api/chat/<slug>/…) decide access by the chat app's mode, not by role: tested below.
    const internal = routes.filter(
      (r) => !r.pattern.startsWith("/api/v1/") && !r.pattern.startsWith("/api/auth/") && r.pattern !== "/api/mcp" && !r.pattern.startsWith("/api/hooks/") && !r.pattern.startsWith("/api/chat/"),
    );
    expect(internal.length).toBeGreaterThan(30);
    for (const route of internal) {
      if (route.access?.kind !== "member") {
        mismatches.push(`${route.label}: declares no member action (${JSON.stringify(route.access)})`);
        continue;
      }
      const response = await call(route, { cookie: cookies.get(role)! });
      const allowed = can(role, route.access.action);
      if ((response.status === 403) === allowed) {
        mismatches.push(`${route.label} (${route.access.action}, minimum ${minimumRole(route.access.action)}): ${response.status} ${JSON.stringify(await errorOf(response))}`);
        continue;
      }
      expect(response.status, route.label).not.toBe(500);
      if (!allowed) expect((await errorOf(response)).message, route.label).toBe(refusalMessage(role, route.access.action));
    }
    expect(mismatches).toEqual([]);
  });

  it("publishing is for developers: the publish route declares workflow.publish, which editors may not take", () => {
    const publish = routes.find((r) => r.label === "POST /api/workflows/[id]/publish");
    expect(publish?.access).toEqual({ kind: "member", action: "workflow.publish" });
    expect(can("editor", "workflow.publish")).toBe(false);
    expect(can("developer", "workflow.publish")).toBe(true);
  });

  it("a knowledge base's live event stream is walked like every route and needs knowledge.read (viewers and up)", () => {
    const events = routes.find((r) => r.label === "GET /api/knowledge-bases/[id]/events");
    expect(events?.access).toEqual({ kind: "member", action: "knowledge.read" });
    expect(can("viewer", "knowledge.read")).toBe(true);
  });

  it("public chat routes answer 404 to anyone, signed in or not, for an unknown chat app", async () => {
    const chat = routes.filter((r) => r.pattern.startsWith("/api/chat/"));
    expect(chat.length).toBeGreaterThanOrEqual(8);
    for (const route of chat) {
      expect(route.access?.kind, route.label).toBe("public");
      expect((await call(route, {})).status, route.label).toBe(404);
      expect((await call(route, { cookie: cookies.get("owner")! })).status, route.label).toBe(404);
    }
  });

  it("API-key routes do not accept a session", async () => {
    for (const route of routes.filter((r) => r.access?.kind === "apiKey")) {
      expect((await call(route, { cookie: cookies.get("owner")! })).status, route.label).toBe(401);
    }
  });
});

describe("API keys act with the lesser of their scopes and their creator's current role", () => {
  let creator: Member;
  let secret: string;
  let keyId: string;
  /**
   * The public API's routes, by path (so a v1 route that declares no action is caught), minus the
   * two open ones: the OpenAPI document and the catch-all JSON 404 for unknown paths.
   */
  const OPEN_V1 = new Set(["/api/v1/openapi.json", "/api/v1/[...path]"]);
  const v1 = () => routes.filter((r) => (r.pattern.startsWith("/api/v1/") || r.pattern === "/api/mcp") && !OPEN_V1.has(r.pattern));
  const bearer = () => ({ authorization: `Bearer ${secret}` });
  const setRole = (role: Role) =>
    db().membership.update({ where: { workspaceId_userId: { workspaceId: creator.workspaceId, userId: creator.userId } }, data: { role } });

  beforeAll(async () => {
    creator = await createTestMember("developer");
    ({ secret, id: keyId } = await createKey(creator, [...API_SCOPES]));
  });

  it.each(ROLES)("creator now %s: every v1 route answers 403 exactly when that role may not take its action", async (role) => {
    await setRole(role);
    const mismatches: string[] = [];
    expect(v1().length).toBeGreaterThanOrEqual(9);
    for (const route of v1()) {
      if (route.access?.kind !== "apiKey") {
        mismatches.push(`${route.label}: declares no API-key action`);
        continue;
      }
      const response = await call(route, bearer());
      const allowed = can(role, route.access.action);
      if ((response.status === 403) === allowed || response.status === 401) {
        mismatches.push(`${route.label} (${route.access.action}): ${response.status} ${JSON.stringify(await errorOf(response))}`);
        continue;
      }
      expect(response.status, route.label).not.toBe(500);
      if (!allowed) {
        const message = (await errorOf(response)).message ?? "";
        // The refusal names both the scope and the creator's current role.
        expect(message, route.label).toContain(scopeFor(route.access.action)!);
        expect(message, route.label).toContain(`is now ${role}`);
      }
    }
    expect(mismatches).toEqual([]);
  });

  it("a key cannot carry a scope its creator's role could not use", async () => {
    await setRole("editor");
    await expect(createKey({ ...creator, role: "editor" }, ["tools:write"])).rejects.toMatchObject({ code: "forbidden" });
  });

  it("a key whose creator left the workspace answers 401 on every v1 route and is disabled for good", async () => {
    await setRole("owner");
    await db().membership.delete({ where: { workspaceId_userId: { workspaceId: creator.workspaceId, userId: creator.userId } } });
    for (const route of v1()) {
      const response = await call(route, bearer());
      expect(response.status, route.label).toBe(401);
      expect((await errorOf(response)).message, route.label).toMatch(/no longer a member/);
    }
    const row = await db().apiKey.findUniqueOrThrow({ where: { id: keyId } });
    expect(row.disabledAt).toBeInstanceOf(Date);
    expect(row.disabledReason).toBe(CREATOR_LEFT_REASON);

    // Coming back does not revive the key: someone has to create a new one.
    await db().membership.create({ data: { workspaceId: creator.workspaceId, userId: creator.userId, role: "owner" } });
    const again = await call(v1()[0]!, bearer());
    expect(again.status).toBe(401);
    expect((await errorOf(again)).message).toMatch(/disabled/);
  });
});

describe("another workspace's ids", () => {
  /** One real row of every kind a path names, in the matrix owner's workspace, keyed by the route prefix that takes it. */
  const ids: { prefix: string; param: string; id: string }[] = [];
  let strangerCookie: string;
  let strangerKey: string;

  function idFor(route: RouteMethod, param: string): string {
    const match = ids.filter((entry) => entry.param === param && route.pattern.startsWith(entry.prefix)).sort((a, b) => b.prefix.length - a.prefix.length)[0];
    if (!match) throw new Error(`no seeded row for ${param} of ${route.label}: add one to this test`);
    return match.id;
  }

  beforeAll(async () => {
    const owner = await createTestMember("owner");
    const workspaceId = owner.workspaceId;
    const graph = { version: 1, nodes: [], edges: [] };
    const workflow = await db().workflow.create({ data: { workspaceId, name: "Theirs", graph } });
    // Published, so its slug is a model of their workspace (the OpenAI endpoint must still answer 404 to others).
    await db().workflowVersion.create({ data: { workflowId: workflow.id, version: 1, graph } });
    const run = await db().run.create({ data: { workspaceId, workflowId: workflow.id, workflowName: "Theirs", graph, inputs: {}, status: "waiting" } });
    const wait = await db().runWait.create({ data: { workspaceId, runId: run.id, nodeId: "approve", kind: "approval", request: { title: "ok?" } } });
    const secret = await db().secret.create({ data: { workspaceId, name: "THEIRS", cipher: "x", hint: "x" } });
    const tool = await db().tool.create({ data: { workspaceId, kind: "http", name: "theirs", inputSchema: { type: "object" }, config: { url: "https://example.com" } } });
    const openapi = await db().toolSource.create({ data: { workspaceId, kind: "openapi", name: "theirs-openapi", config: {} } });
    const mcp = await db().toolSource.create({ data: { workspaceId, kind: "mcp", name: "theirs-mcp", config: { transport: "http", url: "https://example.com/mcp" } } });
    const mcpTool = await db().tool.create({ data: { workspaceId, kind: "mcp", name: "theirs_mcp_tool", sourceId: mcp.id, inputSchema: { type: "object" }, config: { toolName: "tool" } } });
    const provider = await createTestProvider(workspaceId, "https://example.com/v1");
    const alias = await db().modelAlias.create({ data: { workspaceId, name: "theirs", targets: [] } });
    const knowledgeBase = await db().knowledgeBase.create({ data: { workspaceId, name: "theirs", embeddingProviderId: provider.id, embeddingModel: "m", dimensions: 8 } });
    const document = await db().knowledgeDocument.create({ data: { knowledgeBaseId: knowledgeBase.id, name: "theirs.md", sourceKind: "text", mimeType: "text/markdown" } });
    const chunk = await db().knowledgeChunk.create({ data: { knowledgeBaseId: knowledgeBase.id, documentId: document.id, generation: 1, ordinal: 0, text: "theirs", contentHash: "x", dimensions: 8 } });
    const key = await createKey(owner, ["runs:read"]);
    const webhook = await db().webhook.create({ data: { workspaceId, workflowId: workflow.id, publicId: randomUUID(), name: "theirs" } });
    const schedule = await db().schedule.create({ data: { workspaceId, workflowId: workflow.id, name: "theirs", cron: "0 9 * * *", enabled: false } });
    const colleague = await createTestMember("editor");
    const membership = await db().membership.create({ data: { workspaceId, userId: colleague.userId, role: "editor" } });
    const invitation = await db().invitation.create({
      data: { workspaceId, email: "theirs@example.test", role: "viewer", tokenHash: randomUUID(), expiresAt: new Date(Date.now() + 86_400_000) },
    });
    ids.push(
      { prefix: "/api/workflows/", param: "id", id: workflow.id },
      { prefix: "/api/workflows/", param: "nodeId", id: "start" },
      { prefix: "/api/workflows/", param: "version", id: "1" },
      { prefix: "/api/v1/workflows/", param: "id", id: workflow.id },
      { prefix: "/api/v1/openai/models/", param: "model", id: workflow.slug },
      { prefix: "/api/budget/workflows/", param: "id", id: workflow.id },
      { prefix: "/api/runs/", param: "id", id: run.id },
      { prefix: "/api/v1/runs/", param: "id", id: run.id },
      { prefix: "/api/", param: "waitId", id: wait.id },
      { prefix: "/api/secrets/", param: "id", id: secret.id },
      { prefix: "/api/tools/", param: "id", id: tool.id },
      { prefix: "/api/tools/openapi/", param: "id", id: openapi.id },
      { prefix: "/api/tool-sources/mcp/", param: "id", id: mcp.id },
      { prefix: "/api/tool-sources/mcp/", param: "toolId", id: mcpTool.id },
      { prefix: "/api/providers/", param: "id", id: provider.id },
      { prefix: "/api/model-aliases/", param: "id", id: alias.id },
      { prefix: "/api/knowledge-bases/", param: "id", id: knowledgeBase.id },
      { prefix: "/api/knowledge-bases/", param: "documentId", id: document.id },
      { prefix: "/api/knowledge-bases/", param: "chunkId", id: chunk.id },
      { prefix: "/api/v1/knowledge-bases/", param: "id", id: knowledgeBase.id },
      { prefix: "/api/v1/knowledge-bases/", param: "documentId", id: document.id },
      { prefix: "/api/members/", param: "id", id: membership.id },
      { prefix: "/api/invitations/", param: "id", id: invitation.id },
      { prefix: "/api/workflows/", param: "webhookId", id: webhook.id },
      { prefix: "/api/workflows/", param: "scheduleId", id: schedule.id },
      { prefix: "/api/api-keys/", param: "id", id: key.id },
    );
    const stranger = await signUpUser("Matrix Stranger");
    strangerCookie = stranger.cookie;
    strangerKey = (await createKey({ ...owner, userId: stranger.userId, workspaceId: stranger.workspaceId }, [...API_SCOPES])).secret;
  });

  it("an owner of another workspace gets 404 from every route that takes an id, for every method", async () => {
    const failures: string[] = [];
    const withIds = routes.filter((r) => r.params.length > 0 && r.access?.kind !== "public");
    expect(withIds.length).toBeGreaterThan(20);
    for (const route of withIds) {
      const headers: Record<string, string> = route.access?.kind === "apiKey" ? { authorization: `Bearer ${strangerKey}` } : { cookie: strangerCookie };
      const body = route.method === "DELETE" ? undefined : JSON.stringify(validishBody(route));
      const response = await invokeRoute(route, { valueOf: (param) => idFor(route, param), headers, body });
      if (response.status !== 404) failures.push(`${route.label}: ${response.status} ${JSON.stringify(await errorOf(response))}`);
    }
    expect(failures).toEqual([]);
    // Nothing of theirs was changed or deleted along the way.
    expect(await db().workflow.count({ where: { id: ids[0]!.id } })).toBe(1);
    expect(await db().workflow.count({ where: { id: ids[0]!.id, maxConcurrentRuns: null } })).toBe(1);
    expect(await db().apiKey.count({ where: { id: ids.at(-1)!.id, revokedAt: null } })).toBe(1);
    expect(await db().membership.count({ where: { id: ids.find((entry) => entry.prefix === "/api/members/")!.id, role: "editor" } })).toBe(1);
    expect(await db().invitation.count({ where: { id: ids.find((entry) => entry.prefix === "/api/invitations/")!.id, revokedAt: null } })).toBe(1);
    expect(await db().webhook.count({ where: { id: ids.find((entry) => entry.param === "webhookId")!.id, enabled: true } })).toBe(1);
    expect(await db().schedule.count({ where: { id: ids.find((entry) => entry.param === "scheduleId")!.id } })).toBe(1);
  });
});
