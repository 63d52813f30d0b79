import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { EventEmitter } from "node:events";
import type pg from "pg";
import { afterEach, describe, expect, it, vi } from "vitest";

/** A stand-in pool: countPool wraps the query method of each client the pool hands out on "connect". */
function fakePool() {
  const pool = new EventEmitter() as EventEmitter & pg.Pool;
  const connect = () => {
    const client = { query: (..._args: unknown[]) => undefined } as unknown as pg.PoolClient;
    pool.emit("connect", client);
    return client;
  };
  return { pool, connect };
}

describe("bench I/O counters", () => {
  const dirs: string[] = [];
  afterEach(() => {
    delete (globalThis as { __weftIoCounters?: unknown }).__weftIoCounters;
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  // Next bundles the module into several chunks of the web process (instrumentation.ts and the
  // route handlers): every copy must count into the one file the benchmark reads.
  it("two copies of the module count into one total and one file", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "weft-io-"));
    dirs.push(dir);
    vi.resetModules();
    const first = await import("@/lib/metrics/io-counters");
    vi.resetModules();
    const second = await import("@/lib/metrics/io-counters");
    expect(second).not.toBe(first);

    const a = fakePool();
    const b = fakePool();
    first.countPool(a.pool, dir);
    second.countPool(b.pool, dir);
    a.connect().query("SELECT 1");
    b.connect().query("WITH x AS (SELECT 1) SELECT * FROM x");
    b.connect().query({ text: "INSERT INTO t VALUES (1)" });

    expect(first.ioCounts().sql).toEqual({ statements: 3, byKind: { SELECT: 1, WITH: 1, INSERT: 1 } });
    second.writeIoCounts();
    const written = JSON.parse(readFileSync(path.join(dir, `${process.pid}.json`), "utf8")) as { sql: { statements: number } };
    expect(written.sql.statements).toBe(3);
  });
});
