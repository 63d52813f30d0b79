import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as connectRoute from "@/app/api/tool-sources/mcp/[id]/connect/route";
import * as detailRoute from "@/app/api/tool-sources/mcp/[id]/route";
import * as listRoute from "@/app/api/tool-sources/mcp/route";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { db } from "@/lib/db/client";
import type { McpSourceView, McpSyncResult } from "@/lib/tools/mcp/schema";
import { mcpPool, shutdownMcpPool } from "@/lib/tools/mcp/pool";
import { fixtureLogFile, fixtureStdioConfig, readFixtureLog } from "./helpers/mcp";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";

/** /api/tool-sources/mcp: developer role, workspace scoping, and Connect as the only thing that starts a server. */

let owner: { cookie: string; workspaceId: string };
let editorCookie: string;
let strangerCookie: string;
const logFile = fixtureLogFile();

beforeAll(async () => {
  owner = await signUpUser("Mcp Owner");
  strangerCookie = (await signUpUser("Mcp Stranger")).cookie;
  const editor = await signUpUser("Mcp Editor");
  await db().membership.create({ data: { userId: editor.userId, workspaceId: owner.workspaceId, role: "editor" } });
  editorCookie = `${editor.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}`;
});

afterAll(async () => {
  await shutdownMcpPool();
  await db().$disconnect();
});

describe("/api/tool-sources/mcp", () => {
  let id: string;

  it("refuses editors and invalid settings; a developer registers without starting anything", async () => {
    const body = { name: "Route fixture", toolPrefix: "rt", config: fixtureStdioConfig(logFile) };
    expect((await listRoute.POST(routeRequest("POST", "/api/tool-sources/mcp", editorCookie, body), undefined as never)).status).toBe(403);
    expect((await listRoute.GET(routeRequest("GET", "/api/tool-sources/mcp", null), undefined as never)).status).toBe(401);

    const invalid = await listRoute.POST(routeRequest("POST", "/api/tool-sources/mcp", owner.cookie, { name: "x", config: { transport: "http", url: "file:///etc/passwd" } }), undefined as never);
    expect(invalid.status).toBe(400);

    const created = await listRoute.POST(routeRequest("POST", "/api/tool-sources/mcp", owner.cookie, body), undefined as never);
    expect(created.status).toBe(201);
    const view = (await created.json()) as McpSourceView;
    id = view.id;
    expect(view).toMatchObject({ name: "Route fixture", status: "never_connected", tools: [] });
    const duplicate = await listRoute.POST(routeRequest("POST", "/api/tool-sources/mcp", owner.cookie, body), undefined as never);
    expect(duplicate.status).toBe(409);
    expect(readFixtureLog(logFile).starts).toEqual([]);
    expect(mcpPool().pids(id)).toEqual([]);
  });

  it("Connect starts the server and lists its tools; other workspaces see 404", async () => {
    expect((await connectRoute.POST(routeRequest("POST", `/api/tool-sources/mcp/${id}/connect`, strangerCookie), routeParams(id))).status).toBe(404);
    expect((await connectRoute.POST(routeRequest("POST", `/api/tool-sources/mcp/${id}/connect`, editorCookie), routeParams(id))).status).toBe(403);
    expect(readFixtureLog(logFile).starts).toEqual([]);

    const response = await connectRoute.POST(routeRequest("POST", `/api/tool-sources/mcp/${id}/connect`, owner.cookie), routeParams(id));
    expect(response.status).toBe(200);
    const result = (await response.json()) as McpSyncResult;
    expect(result.ok, result.message).toBe(true);
    expect(result.tools.map((t) => t.name)).toContain("rt_add");
    expect(readFixtureLog(logFile).starts).toHaveLength(1);
    // Audited once, with the tool count (refused attempts above wrote nothing).
    const synced = await db().auditEvent.findMany({ where: { action: "tool_source.synced", targetId: id } });
    expect(synced.map((e) => [e.workspaceId, e.actorType, e.metadata])).toEqual([[owner.workspaceId, "user", { tools: 6, removed: 0 }]]);

    const list = (await (await listRoute.GET(routeRequest("GET", "/api/tool-sources/mcp", owner.cookie), undefined as never)).json()) as { sources: McpSourceView[] };
    expect(list.sources.map((s) => [s.name, s.status, s.tools.length])).toEqual([["Route fixture", "connected", 6]]);
    const strangers = (await (await listRoute.GET(routeRequest("GET", "/api/tool-sources/mcp", strangerCookie), undefined as never)).json()) as { sources: McpSourceView[] };
    expect(strangers.sources).toEqual([]);
  });

  it("renames, then deletes the source with its tools and stops its server", async () => {
    const renamed = await detailRoute.PATCH(routeRequest("PATCH", `/api/tool-sources/mcp/${id}`, owner.cookie, { name: "Renamed fixture" }), routeParams(id));
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as McpSourceView).name).toBe("Renamed fixture");
    expect((await detailRoute.DELETE(routeRequest("DELETE", `/api/tool-sources/mcp/${id}`, strangerCookie), routeParams(id))).status).toBe(404);
    expect((await detailRoute.DELETE(routeRequest("DELETE", `/api/tool-sources/mcp/${id}`, owner.cookie), routeParams(id))).status).toBe(204);
    expect(await db().tool.count({ where: { workspaceId: owner.workspaceId, sourceId: id } })).toBe(0);
    expect(mcpPool().pids(id)).toEqual([]);
    expect((await detailRoute.GET(routeRequest("GET", `/api/tool-sources/mcp/${id}`, owner.cookie), routeParams(id))).status).toBe(404);
  });
});
