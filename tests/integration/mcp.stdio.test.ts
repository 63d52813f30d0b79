import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import { createSecret } from "@/lib/secrets/service";
import { callMcpTool, IDEMPOTENCY_META_KEY } from "@/lib/tools/mcp/call";
import { OperatorStdioServerSchema } from "@/lib/tools/mcp/operator-schema";
import { createMcpPool, mcpPool, shutdownMcpPool } from "@/lib/tools/mcp/pool";
import { createToolPort } from "@/lib/tools/port";
import { createMcpSource, deleteMcpSource, getMcpSource, listMcpSources, syncMcpSource } from "@/lib/tools/mcp/service";
import { fixtureLogFile, fixtureStdioConfig, isAlive, readFixtureLog, waitUntil } from "./helpers/mcp";
import { createTestMember } from "./helpers/members";

/** MCP servers over stdio with real fixture processes: lazy start, caching, calls, secrets, crashes, idle shutdown. */

const TOKEN = "mcp-fixture-token-7f3a9c";
const pool = createMcpPool({ idleMs: 60_000 });
let member: Member;
let sourceId: string;
let logFile: string;

async function toolRow(name: string) {
  return db().tool.findFirstOrThrow({ where: { workspaceId: member.workspaceId, name } });
}

async function call(name: string, input: Record<string, unknown>, options: { signal?: AbortSignal; idempotencyKey?: string } = {}) {
  return callMcpTool(db(), await toolRow(name), input, { signal: options.signal ?? new AbortController().signal, idempotencyKey: options.idempotencyKey, pool });
}

/** The NodeError a call fails with. */
async function failure(promise: Promise<unknown>): Promise<NodeError> {
  const error: unknown = await promise.catch((e: unknown) => e);
  if (!(error instanceof NodeError)) throw new Error(`expected a NodeError, got ${String(error)}`);
  return error;
}

beforeAll(async () => {
  member = await createTestMember("developer");
  await createSecret(member, { name: "FIXTURE_TOKEN_SECRET", value: TOKEN, allowedHosts: ["*"] });
  logFile = fixtureLogFile();
});

afterAll(async () => {
  await pool.shutdown();
  await shutdownMcpPool();
  await db().$disconnect();
});

describe("MCP server over stdio", () => {
  it("registering and listing a server start nothing", async () => {
    const view = await createMcpSource(
      member,
      { name: "Fixture", toolPrefix: "fx", config: fixtureStdioConfig(logFile, { FIXTURE_TOKEN: { secret: "FIXTURE_TOKEN_SECRET" } }) },
      { pool },
    );
    sourceId = view.id;
    expect(view.status).toBe("never_connected");
    expect(view.tools).toEqual([]);
    expect(view.config).toMatchObject({ transport: "stdio", serverId: "fixture", env: { FIXTURE_TOKEN: { secret: "FIXTURE_TOKEN_SECRET" } } });
    await listMcpSources(member, { pool });
    await getMcpSource(member, sourceId, { pool });
    // Give a wrongly started process time to write its start line.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(readFixtureLog(logFile).starts).toEqual([]);
    expect(pool.pids()).toEqual([]);
    expect(await db().tool.count({ where: { sourceId } })).toBe(0);
  });

  it("Connect starts the server once and caches its tools with their schemas", async () => {
    const result = await syncMcpSource(member, sourceId, { pool });
    expect(result.ok, result.message).toBe(true);
    expect(result.tools.map((t) => t.name)).toEqual(["fx_add", "fx_crash", "fx_env_check", "fx_fail", "fx_lookup_order", "fx_slow"]);
    const lookup = await toolRow("fx_lookup_order");
    expect(lookup).toMatchObject({ kind: "mcp", sourceId, config: { toolName: "lookup_order" }, description: "Looks an order up by its id." });
    expect(lookup.inputSchema).toMatchObject({
      type: "object",
      properties: { orderId: { type: "string", pattern: "^[A-Z]-\\d{3}$" }, includeItems: { type: "boolean" } },
      required: ["orderId"],
    });
    expect((await toolRow("fx_add")).outputSchema).toMatchObject({ properties: { sum: { type: "number" } } });
    const source = await db().toolSource.findUniqueOrThrow({ where: { id: sourceId } });
    expect(source.lastSyncedAt).toBeInstanceOf(Date);
    expect(source.lastError).toBeNull();
    expect(readFixtureLog(logFile).starts).toHaveLength(1);
    expect((await getMcpSource(member, sourceId, { pool })).status).toBe("connected");
  });

  it("calls a tool on the pooled process and maps structured content; the process is reused", async () => {
    const result = await call("fx_add", { a: 2, b: 40 }, { idempotencyKey: "run-1:agent:0:0" });
    expect(result.output).toEqual({ sum: 42 });
    expect(result.detail).toMatchObject({ server: "Fixture", transport: "stdio", toolName: "add", content: [{ type: "text", text: "42" }] });
    const order = await call("fx_lookup_order", { orderId: "A-100", includeItems: true });
    // Text content that is JSON comes back parsed.
    expect(order.output).toEqual({ orderId: "A-100", status: "shipped", total: 42.5, items: ["kettle", "mug"] });
    const log = readFixtureLog(logFile);
    expect(log.starts).toHaveLength(1);
    expect(log.calls.map((c) => c.tool)).toEqual(["add", "lookup_order"]);
    expect(log.calls.every((c) => c.pid === log.starts[0])).toBe(true);
    expect(IDEMPOTENCY_META_KEY).toBe("io.weft/idempotency-key");
  });

  it("is called through the workspace's ToolPort (describe with the cached schema, input validated first)", async () => {
    const port = createToolPort({ db: db(), workspaceId: member.workspaceId, allowPrivate: true });
    const add = await toolRow("fx_add");
    const [descriptor] = await port.describe([add.id]);
    expect(descriptor).toMatchObject({ name: "fx_add", kind: "mcp", inputSchema: { properties: { a: { type: "number" } } } });
    const callsBefore = readFixtureLog(logFile).calls.length;
    const invalid = await failure(port.call({ toolId: add.id, input: { a: "two", b: 2 }, signal: new AbortController().signal, idempotencyKey: "r:n:0:0" }));
    expect(invalid.code).toBe("tool_error");
    expect(readFixtureLog(logFile).calls).toHaveLength(callsBefore);

    const result = await port.call({ toolId: add.id, input: { a: 20, b: 22 }, signal: new AbortController().signal, idempotencyKey: "r:n:0:1" });
    expect(result.output).toEqual({ sum: 42 });
    // The registry's kind dispatch uses the process-wide pool.
    expect(mcpPool().pids(sourceId)).toHaveLength(1);
    await mcpPool().closeSource(sourceId);
  });

  it("passes env secrets to the server and nothing of the worker's own environment", async () => {
    const result = await call("fx_env_check", {});
    const report = result.output as { FIXTURE_TOKEN: string; tokenSha256: string; names: string[] };
    expect(report.FIXTURE_TOKEN).toBe(`set (${TOKEN.length} chars)`);
    expect(report.tokenSha256).toBe(createHash("sha256").update(TOKEN).digest("hex").slice(0, 16));
    for (const leaked of ["DATABASE_URL", "WEFT_SECRET_KEYS", "BETTER_AUTH_SECRET", "REDIS_URL", "WEFT_REDIS_PREFIX"]) expect(report.names).not.toContain(leaked);
    // The declared variables, PATH and HOME: not even the SDK's default USER, SHELL, LOGNAME or TERM.
    expect(report.names).toEqual(["FIXTURE_TOKEN", "HOME", "MCP_FIXTURE_LOG", "PATH"]);
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it("a tool error result is tool_error with the server's message, not retried", async () => {
    const error = await failure(call("fx_fail", {}));
    expect(error.code).toBe("tool_error");
    expect(error.retryable).toBe(false);
    expect(error.message).toContain("The order service is down for maintenance.");
    const invalid = await failure(call("fx_lookup_order", { orderId: "nope" }));
    expect(invalid.code).toBe("tool_error");
    expect(invalid.message).toMatch(/pattern/);
  });

  it("a crash fails the call in flight as retryable tool_unavailable and the next call restarts the server", async () => {
    const before = readFixtureLog(logFile).starts;
    const [pid] = pool.pids(sourceId);
    expect(before).toContain(pid);
    const error = await failure(call("fx_crash", {}));
    expect(error.code).toBe("tool_unavailable");
    expect(error.retryable).toBe(true);
    await waitUntil(() => !isAlive(pid!), 5_000, "the crashed server to exit");
    expect(pool.pids(sourceId)).toEqual([]);

    const result = await call("fx_add", { a: 1, b: 1 });
    expect(result.output).toEqual({ sum: 2 });
    const after = readFixtureLog(logFile).starts;
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).not.toBe(pid);
  });

  it("concurrent calls while the server starts share one process", async () => {
    await pool.closeSource(sourceId);
    const before = readFixtureLog(logFile).starts.length;
    const results = await Promise.all([1, 2, 3, 4].map((n) => call("fx_add", { a: n, b: n })));
    expect(results.map((r) => r.output)).toEqual([{ sum: 2 }, { sum: 4 }, { sum: 6 }, { sum: 8 }]);
    expect(readFixtureLog(logFile).starts).toHaveLength(before + 1);
  });

  it("aborting a call cancels it on the server", async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new NodeError("cancelled", "The run was cancelled.")), 300);
    const error = await failure(call("fx_slow", { ms: 20_000 }, { signal: controller.signal }));
    expect(error.code).toBe("cancelled");
    expect(Date.now() - started).toBeLessThan(5_000);
    await waitUntil(() => readFixtureLog(logFile).aborted.includes("slow"), 5_000, "the server to see the cancellation");
  });

  it("shuts an idle server down and starts it again on the next call", async () => {
    const idlePool = createMcpPool({ idleMs: 300 });
    try {
      const tool = await toolRow("fx_add");
      const before = readFixtureLog(logFile).starts.length;
      await callMcpTool(db(), tool, { a: 5, b: 5 }, { signal: new AbortController().signal, pool: idlePool });
      const [pid] = idlePool.pids(sourceId);
      expect(pid).toBeDefined();
      await waitUntil(() => idlePool.pids(sourceId).length === 0, 5_000, "the idle timeout");
      await waitUntil(() => !isAlive(pid!), 5_000, "the idle server process to exit");
      const again = await callMcpTool(db(), tool, { a: 6, b: 6 }, { signal: new AbortController().signal, pool: idlePool });
      expect(again.output).toEqual({ sum: 12 });
      expect(readFixtureLog(logFile).starts).toHaveLength(before + 2);
    } finally {
      await idlePool.shutdown();
    }
  });

  it("a server that cannot start is reported in lastError and as an error status", async () => {
    // An operator entry whose program is missing on this host.
    const stdio = { servers: [OperatorStdioServerSchema.parse({ id: "broken", label: "Broken", command: "/nonexistent/mcp-server" })], problem: null };
    const broken = await createMcpSource(member, { name: "Broken", config: { transport: "stdio", serverId: "broken", env: {} } }, { pool, stdio });
    const result = await syncMcpSource(member, broken.id, { pool, stdio });
    expect(result.ok).toBe(false);
    expect(result.message).toContain("/nonexistent/mcp-server");
    const view = await getMcpSource(member, broken.id, { pool });
    expect(view.status).toBe("error");
    expect(view.lastError).toBe(result.message);
  });

  it("a missing secret fails the start with secret_not_found and the secret's name", async () => {
    const source = await createMcpSource(member, { name: "No secret", config: fixtureStdioConfig(logFile, { FIXTURE_TOKEN: { secret: "NOT_THERE" } }) }, { pool });
    const result = await syncMcpSource(member, source.id, { pool });
    expect(result.ok).toBe(false);
    expect(result.message).toContain("NOT_THERE");
  });

  it("deleting the source stops its server and removes its tools", async () => {
    await call("fx_add", { a: 0, b: 0 });
    const [pid] = pool.pids(sourceId);
    await deleteMcpSource(member, sourceId, { pool });
    expect(await db().tool.count({ where: { workspaceId: member.workspaceId, name: { startsWith: "fx_" } } })).toBe(0);
    await waitUntil(() => !isAlive(pid!), 5_000, "the deleted source's server to exit");
  });
});
