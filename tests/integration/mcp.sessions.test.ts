import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import * as connectRoute from "@/app/api/tool-sources/mcp/[id]/connect/route";
import * as listRoute from "@/app/api/tool-sources/mcp/route";
import * as testRoute from "@/app/api/tools/[id]/test/route";
import { callMcpTool } from "@/lib/tools/mcp/call";
import { createMcpPool, shutdownMcpPool } from "@/lib/tools/mcp/pool";
import type { McpSourceView } from "@/lib/tools/mcp/schema";
import { createMcpSource, getMcpSource, syncMcpSource, updateMcpSource } from "@/lib/tools/mcp/service";
import { startMcpSessionFixture, type McpSessionFixture } from "../fixtures/mcp-server-sessions";
import { createTestMember } from "./helpers/members";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";

/**
 * Issue 14, points 1, 3 and 8 in the web process: a Streamable HTTP session the server forgot
 * (restart) is replaced once and the call retried; the source's status is kept on its row, so a
 * second pool (another process) sees it; a server that only speaks HTTP+SSE is reached over the
 * SDK's SSE transport; a stdio server that cannot start says why; a slow call times out as `timeout`.
 */

let member: Member;
let stateful: McpSessionFixture;
let legacy: McpSessionFixture;
const pool = createMcpPool({ idleMs: 60_000 });
const otherProcess = createMcpPool({ idleMs: 60_000 });
const signal = () => new AbortController().signal;

beforeAll(async () => {
  member = await createTestMember("developer");
  stateful = await startMcpSessionFixture("stateful");
  legacy = await startMcpSessionFixture("legacy-sse");
});

afterAll(async () => {
  await pool.shutdown();
  await otherProcess.shutdown();
  await shutdownMcpPool();
  await stateful?.close();
  await legacy?.close();
  await db().$disconnect();
});

async function toolNamed(name: string) {
  return db().tool.findFirstOrThrow({ where: { workspaceId: member.workspaceId, name } });
}

describe("Streamable HTTP session recovery", () => {
  it("replaces a session the restarted server no longer knows, once, and the second call succeeds", async () => {
    const source = await createMcpSource(member, { name: "Sessions", toolPrefix: "sess", config: { transport: "http", url: stateful.url, headers: {} } }, { pool });
    const sync = await syncMcpSource(member, source.id, { pool });
    expect(sync.ok, sync.message).toBe(true);
    const add = await toolNamed("sess_add");

    const first = await callMcpTool(db(), add, { a: 1, b: 2 }, { signal: signal(), pool });
    expect(first.output).toEqual({ sum: 3 });
    expect(first.detail).toMatchObject({ transport: "streamable_http" });
    expect(first.detail).not.toHaveProperty("reconnected");

    await stateful.restart();
    expect(stateful.sessions()).toBe(0);
    const before = stateful.log.length;
    const second = await callMcpTool(db(), add, { a: 20, b: 22 }, { signal: signal(), pool });
    expect(second.output).toEqual({ sum: 42 });
    expect(second.detail).toMatchObject({ reconnected: true, transport: "streamable_http" });
    // Exactly one refusal of the old session, then one new session (initialize) carrying the retried call.
    const after = stateful.log.slice(before).filter((line) => line.startsWith("POST"));
    expect(after.filter((line) => line.endsWith(" 400"))).toHaveLength(1);
    expect(stateful.sessions()).toBe(1);
    expect(stateful.calls.filter((name) => name === "add")).toHaveLength(3);

    const view = await getMcpSource(member, source.id, { pool });
    expect(view.status).toBe("connected");
    expect(view.transport).toBe("streamable_http");
    expect(view.lastError).toBeNull();
  });

  it("the tool console (POST /api/tools/:id/test) recovers the same way, and the list route shows the status", async () => {
    const owner = await signUpUser("Mcp Console");
    const created = await listRoute.POST(routeRequest("POST", "/api/tool-sources/mcp", owner.cookie, { name: "Console", toolPrefix: "console", config: { transport: "http", url: stateful.url, headers: {} } }), undefined as never);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as McpSourceView;
    expect((await connectRoute.POST(routeRequest("POST", `/api/tool-sources/mcp/${id}/connect`, owner.cookie), routeParams(id))).status).toBe(200);
    const tool = await db().tool.findFirstOrThrow({ where: { workspaceId: owner.workspaceId, name: "console_add" } });
    const callConsole = async (a: number, b: number) => {
      const response = await testRoute.POST(routeRequest("POST", `/api/tools/${tool.id}/test`, owner.cookie, { input: { a, b } }), routeParams(tool.id));
      expect(response.status).toBe(200);
      return (await response.json()) as { ok: boolean; output?: unknown; detail?: Record<string, unknown> };
    };
    expect(await callConsole(1, 1)).toMatchObject({ ok: true, output: { sum: 2 } });
    await stateful.restart();
    const after = await callConsole(2, 3);
    expect(after, JSON.stringify(after)).toMatchObject({ ok: true, output: { sum: 5 } });
    expect(JSON.stringify(after.detail)).toContain('"reconnected":true');
    const list = (await (await listRoute.GET(routeRequest("GET", "/api/tool-sources/mcp", owner.cookie), undefined as never)).json()) as { sources: McpSourceView[] };
    expect(list.sources.map((s) => [s.name, s.status, s.transport])).toEqual([["Console", "connected", "streamable_http"]]);
  });

  it("keeps the status on the source: a failure in one process shows in another, and a success anywhere clears it", async () => {
    const source = await createMcpSource(member, { name: "Down and up", toolPrefix: "dnu", config: { transport: "http", url: stateful.url, headers: {} } }, { pool });
    expect((await syncMcpSource(member, source.id, { pool })).ok).toBe(true);
    const add = await toolNamed("dnu_add");

    await stateful.close();
    const error: unknown = await callMcpTool(db(), add, { a: 1, b: 1 }, { signal: signal(), pool }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect(error).toMatchObject({ code: "tool_unavailable" });
    // Another process (its own pool, no client of this source) reads the same status.
    const seen = await getMcpSource(member, source.id, { pool: otherProcess });
    expect(seen.status).toBe("error");
    expect(seen.lastError).toMatch(/could not be reached|connect/i);
    expect(seen.lastErrorAt).not.toBeNull();
    expect(seen.liveHere).toBe(false);

    await stateful.restart();
    const ok = await callMcpTool(db(), add, { a: 2, b: 2 }, { signal: signal(), pool: otherProcess });
    expect(ok.output).toEqual({ sum: 4 });
    const healed = await getMcpSource(member, source.id, { pool });
    expect(healed.status).toBe("connected");
    expect(healed.lastError).toBeNull();
  });
});

describe("legacy HTTP+SSE servers", () => {
  it("falls back to the SSE transport when Streamable HTTP is refused, and says so", async () => {
    const source = await createMcpSource(member, { name: "Legacy", toolPrefix: "legacy", config: { transport: "http", url: legacy.url, headers: {} } }, { pool });
    const sync = await syncMcpSource(member, source.id, { pool });
    expect(sync.ok, sync.message).toBe(true);
    expect(sync.tools.map((t) => t.toolName)).toContain("lookup_order");
    // The refused Streamable HTTP attempt, then the SSE stream and its message endpoint.
    expect(legacy.log[0]).toBe("POST /mcp 404");
    expect(legacy.log.some((line) => line.startsWith("POST /messages 202"))).toBe(true);

    const view = await getMcpSource(member, source.id, { pool });
    expect(view.transport).toBe("sse");
    expect(view.status).toBe("connected");

    const call = await callMcpTool(db(), await toolNamed("legacy_lookup_order"), { orderId: "A-100" }, { signal: signal(), pool });
    expect(call.output).toEqual({ orderId: "A-100", status: "shipped", total: 42.5 });
    expect(call.detail).toMatchObject({ transport: "sse" });

    // New settings: nothing is known about them until the next contact.
    const moved = await updateMcpSource(member, source.id, { config: { transport: "http", url: stateful.url, headers: {} } }, { pool });
    expect([moved.status, moved.transport, moved.lastConnectedAt]).toEqual(["idle", null, null]);
    expect((await syncMcpSource(member, source.id, { pool })).ok).toBe(true);
    expect((await getMcpSource(member, source.id, { pool })).transport).toBe("streamable_http");
  });
});

describe("error messages that help", () => {
  it("a stdio server that cannot start keeps the line naming the cause", async () => {
    const stdio = {
      servers: [{ id: "broken", label: "Broken", command: process.execPath, args: ["-e", "require('/nonexistent/weft-missing-module.js')"], env: {}, allowedEnv: [] }],
      problem: null,
    };
    const source = await createMcpSource(member, { name: "Broken", config: { transport: "stdio", serverId: "broken", env: {} } }, { pool, stdio });
    const result = await syncMcpSource(member, source.id, { pool, stdio });
    expect(result.ok).toBe(false);
    expect(result.message).toContain("Cannot find module '/nonexistent/weft-missing-module.js'");
    expect(result.message).not.toMatch(/\n\s+at /);
    expect((await getMcpSource(member, source.id, { pool, stdio })).lastError).toContain("Cannot find module");
  });

  it("a call the server does not answer in time fails with the code `timeout`", async () => {
    const source = await createMcpSource(member, { name: "Slow", toolPrefix: "slowsrv", config: { transport: "http", url: stateful.url, headers: {} } }, { pool });
    expect((await syncMcpSource(member, source.id, { pool })).ok).toBe(true);
    const error: unknown = await callMcpTool(db(), await toolNamed("slowsrv_slow"), { ms: 5_000 }, { signal: signal(), pool, timeoutMs: 200 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NodeError);
    expect(error).toMatchObject({ code: "timeout", retryable: true });
    expect((error as Error).message).toMatch(/did not answer slow in time/);
    // A slow tool says nothing about the server's health.
    expect((await getMcpSource(member, source.id, { pool })).status).toBe("connected");
  });
});
