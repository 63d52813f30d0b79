import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import { createSecret } from "@/lib/secrets/service";
import { callMcpTool } from "@/lib/tools/mcp/call";
import { createMcpPool } from "@/lib/tools/mcp/pool";
import { createMcpSource, getMcpSource, syncMcpSource } from "@/lib/tools/mcp/service";
import { setNetworkAllowList } from "@/lib/net/workspace-allow-list";
import { startMcpHttpFixture, type McpHttpFixture } from "../fixtures/mcp-server-http";
import { createTestMember } from "./helpers/members";

/** MCP over Streamable HTTP against the in-process fixture: header secrets, calls, and the SSRF guard. */

const TOKEN = "http-mcp-bearer-4411aa";
const pool = createMcpPool({ idleMs: 60_000 });
let fixture: McpHttpFixture;
let member: Member;

beforeAll(async () => {
  fixture = await startMcpHttpFixture({ requireBearer: TOKEN });
  member = await createTestMember("developer");
  await createSecret(member, { name: "MCP_HTTP_TOKEN", value: TOKEN, allowedHosts: ["127.0.0.1"] });
});

afterAll(async () => {
  await pool.shutdown();
  await fixture?.close();
  await db().$disconnect();
});

const signal = () => new AbortController().signal;

describe("MCP server over Streamable HTTP", () => {
  it("connects with a header secret, caches the tools and calls one", async () => {
    const source = await createMcpSource(
      member,
      { name: "Orders HTTP", config: { transport: "http", url: fixture.url, headers: { Authorization: "Bearer {{ secrets.MCP_HTTP_TOKEN }}", "X-Team": "weft" } } },
      { pool },
    );
    expect(fixture.requests).toHaveLength(0);
    const result = await syncMcpSource(member, source.id, { pool });
    expect(result.ok, result.message).toBe(true);
    expect(result.tools.map((t) => t.name)).toContain("orders_http_lookup_order");
    expect(fixture.requests.every((headers) => headers.authorization === `Bearer ${TOKEN}` && headers["x-team"] === "weft")).toBe(true);

    const tool = await db().tool.findFirstOrThrow({ where: { workspaceId: member.workspaceId, name: "orders_http_lookup_order" } });
    const call = await callMcpTool(db(), tool, { orderId: "B-200" }, { signal: signal(), pool, idempotencyKey: "r:n:0:0" });
    expect(call.output).toEqual({ orderId: "B-200", status: "processing", total: 9.99 });
    expect(call.detail).toMatchObject({ transport: "streamable_http", toolName: "lookup_order" });
    expect(fixture.calls).toEqual(["lookup_order"]);
    expect(JSON.stringify(call)).not.toContain(TOKEN);
  });

  it("never sends a header secret to an MCP server outside its allowed hosts, nor hands a host-bound secret to a stdio process", async () => {
    await createSecret(member, { name: "ELSEWHERE_TOKEN", value: "elsewhere-token-5566", allowedHosts: ["mcp.example.com"] });
    const before = fixture.requests.length;
    const source = await createMcpSource(member, { name: "Elsewhere", config: { transport: "http", url: fixture.url, headers: { Authorization: "Bearer {{ secrets.ELSEWHERE_TOKEN }}" } } }, { pool });
    const result = await syncMcpSource(member, source.id, { pool });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/ELSEWHERE_TOKEN may not be sent to 127\.0\.0\.1:\d+ \(allowed hosts: mcp\.example\.com\)/);
    expect(fixture.requests.length).toBe(before);

    const stdio = await createMcpSource(member, { name: "Local", config: { transport: "stdio", serverId: "fixture", env: { FIXTURE_TOKEN: { secret: "ELSEWHERE_TOKEN" } } } }, { pool });
    const refused = await syncMcpSource(member, stdio.id, { pool });
    expect(refused.ok).toBe(false);
    expect(refused.message).toMatch(/ELSEWHERE_TOKEN may not be given to a stdio MCP server/);
  });

  it("a wrong bearer token is a connection error naming the HTTP status", async () => {
    await createSecret(member, { name: "WRONG_TOKEN", value: "definitely-not-it", allowedHosts: ["127.0.0.1"] });
    const source = await createMcpSource(member, { name: "Wrong token", config: { transport: "http", url: fixture.url, headers: { Authorization: { secret: "WRONG_TOKEN" } } } }, { pool });
    const result = await syncMcpSource(member, source.id, { pool });
    expect(result.ok).toBe(false);
    expect(result.message).toMatch(/401/);
    expect(result.message).not.toContain("definitely-not-it");
    expect((await getMcpSource(member, source.id, { pool })).status).toBe("error");
  });

  it("refuses an MCP URL on a private address unless private networks are allowed", async () => {
    const blockedPool = createMcpPool({ idleMs: 60_000 });
    try {
      const before = fixture.requests.length;
      const source = await createMcpSource(member, { name: "Loopback", config: { transport: "http", url: fixture.url.replace("127.0.0.1", "localhost"), headers: {} } }, { pool: blockedPool });
      const blocked = await syncMcpSource(member, source.id, { pool: blockedPool, allowPrivate: false });
      expect(blocked.ok).toBe(false);
      expect(blocked.message).toMatch(/blocked/);

      const literal = await createMcpSource(member, { name: "Metadata", config: { transport: "http", url: "http://169.254.169.254/mcp", headers: {} } }, { pool: blockedPool });
      expect((await syncMcpSource(member, literal.id, { pool: blockedPool, allowPrivate: false })).message).toMatch(/link-local/);

      // A cached tool of the loopback server cannot be called either.
      const ok = await createMcpSource(member, { name: "Loopback ok", toolPrefix: "lb", config: { transport: "http", url: fixture.url, headers: { Authorization: `Bearer ${TOKEN}` } } }, { pool });
      expect((await syncMcpSource(member, ok.id, { pool, allowPrivate: true })).ok).toBe(true);
      const requestsAfterAllowedSync = fixture.requests.length;
      expect(requestsAfterAllowedSync).toBeGreaterThan(before);
      const tool = await db().tool.findFirstOrThrow({ where: { workspaceId: member.workspaceId, name: "lb_add" } });
      const error: unknown = await callMcpTool(db(), tool, { a: 1, b: 2 }, { signal: signal(), pool: blockedPool, allowPrivate: false }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NodeError);
      expect(error).toMatchObject({ code: "network_blocked" });
      expect(fixture.requests.length).toBe(requestsAfterAllowedSync);

      // An admin allow-listing the host lets it through with private networks otherwise blocked.
      await setNetworkAllowList(db(), { ...member, role: "admin" }, { allowList: ["127.0.0.1"] });
      const allowed = await callMcpTool(db(), tool, { a: 1, b: 2 }, { signal: signal(), pool: blockedPool, allowPrivate: false });
      expect(allowed.output).toEqual({ sum: 3 });
    } finally {
      await blockedPool.shutdown();
    }
  });
});
