import { describe, expect, it } from "vitest";
import { CallScope } from "@/lib/tools/mcp/call-scope";
import type { McpConnection } from "@/lib/tools/mcp/connection";
import { createMcpPool } from "@/lib/tools/mcp/pool";

/** The pool's bookkeeping with fake connections (the real processes are covered by tests/integration/mcp.*.test.ts). */

function fakeConnection(pid: number) {
  let onClosed: (() => void) | undefined;
  const state = { closed: false };
  const connection = {
    client: {} as McpConnection["client"],
    transport: "stdio" as const,
    pid,
    secrets: [],
    stderrTail: () => "",
    calls: new CallScope(false),
    onClosed: (callback: () => void) => {
      onClosed = callback;
    },
    close: async () => {
      state.closed = true;
    },
  } satisfies McpConnection;
  return { connection, state, die: () => onClosed?.() };
}

const key = (version = "v1") => ({ sourceId: "s1", version });
const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe("MCP pool", () => {
  it("starts one connection for concurrent first calls and reuses it", async () => {
    const pool = createMcpPool({ idleMs: 60_000 });
    let starts = 0;
    const start = async () => {
      starts++;
      await tick(20);
      return fakeConnection(100 + starts).connection;
    };
    const pids = await Promise.all([1, 2, 3].map(() => pool.use(key(), start, async (c) => c.pid)));
    expect(pids).toEqual([101, 101, 101]);
    expect(await pool.use(key(), start, async (c) => c.pid)).toBe(101);
    expect(starts).toBe(1);
    expect(pool.isConnected("s1")).toBe(true);
    await pool.shutdown();
    expect(pool.isConnected("s1")).toBe(false);
  });

  it("does not cache a failed start", async () => {
    const pool = createMcpPool({ idleMs: 60_000 });
    let attempt = 0;
    const start = async () => {
      attempt++;
      if (attempt === 1) throw new Error("boom");
      return fakeConnection(7).connection;
    };
    await expect(pool.use(key(), start, async (c) => c.pid)).rejects.toThrow("boom");
    expect(await pool.use(key(), start, async (c) => c.pid)).toBe(7);
  });

  it("forgets a connection that closed by itself and starts a new one", async () => {
    const pool = createMcpPool({ idleMs: 60_000 });
    const made: ReturnType<typeof fakeConnection>[] = [];
    const start = async () => {
      const fake = fakeConnection(made.length + 1);
      made.push(fake);
      return fake.connection;
    };
    await pool.use(key(), start, async () => undefined);
    made[0]!.die();
    expect(pool.pids("s1")).toEqual([]);
    expect(await pool.use(key(), start, async (c) => c.pid)).toBe(2);
  });

  it("closes a connection after the idle timeout, not while a call is in flight", async () => {
    const pool = createMcpPool({ idleMs: 30 });
    const fake = fakeConnection(1);
    let release!: () => void;
    const inFlight = pool.use(key(), async () => fake.connection, () => new Promise<void>((resolve) => (release = resolve)));
    await tick(80);
    expect(fake.state.closed).toBe(false);
    release();
    await inFlight;
    await tick(80);
    expect(fake.state.closed).toBe(true);
    expect(pool.isConnected("s1")).toBe(false);
  });

  it("a new config version replaces the old connection once its calls return", async () => {
    const pool = createMcpPool({ idleMs: 60_000 });
    const old = fakeConnection(1);
    const next = fakeConnection(2);
    let release!: () => void;
    const inFlight = pool.use(key("v1"), async () => old.connection, () => new Promise<void>((resolve) => (release = resolve)));
    await tick();
    expect(await pool.use(key("v2"), async () => next.connection, async (c) => c.pid)).toBe(2);
    expect(old.state.closed).toBe(false);
    release();
    await inFlight;
    await tick();
    expect(old.state.closed).toBe(true);
    expect(pool.pids("s1")).toEqual([2]);
    await pool.shutdown();
  });
});
