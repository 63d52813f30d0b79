import type pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { db, poolOf } from "@/lib/db/client";
import { AUTOVACUUM_WARNING, warnIfAutovacuumOff } from "@/lib/db/autovacuum-warning";

/**
 * With autovacuum off, prepared statements keep plans made while the run tables were small
 * (lib/db/autovacuum-warning.ts); the worker warns at start-up. Checked against the real server
 * (whatever its setting) and against servers answering each way.
 */
const recorder = () => {
  const lines: { object: object; message: string }[] = [];
  return { lines, log: { warn: (object: object, message: string) => void lines.push({ object, message }) } };
};
const answering = (query: () => Promise<unknown>) => ({ query }) as unknown as pg.Pool;

afterAll(async () => {
  await db().$disconnect();
});

describe("the autovacuum start-up warning", () => {
  it("warns exactly when this PostgreSQL server has autovacuum off", async () => {
    const pool = poolOf(db());
    const { rows } = await pool.query<{ autovacuum: string }>("SHOW autovacuum");
    const off = rows[0]!.autovacuum === "off";
    const { lines, log } = recorder();
    expect(await warnIfAutovacuumOff(pool, log, "worker")).toBe(off);
    expect(lines).toEqual(off ? [{ object: { service: "worker", setting: "autovacuum" }, message: AUTOVACUUM_WARNING }] : []);
  });

  it("says what goes wrong and what to do", async () => {
    const { lines, log } = recorder();
    expect(await warnIfAutovacuumOff(answering(async () => ({ rows: [{ autovacuum: "off" }] })), log, "worker")).toBe(true);
    expect(lines[0]!.message).toMatch(/autovacuum is off.*runs get slower as the tables grow.*Turn autovacuum on.*VACUUM \(ANALYZE\)/);
  });

  it("says nothing when autovacuum is on, or when the check itself fails (the worker starts either way)", async () => {
    const { lines, log } = recorder();
    expect(await warnIfAutovacuumOff(answering(async () => ({ rows: [{ autovacuum: "on" }] })), log, "worker")).toBe(false);
    expect(await warnIfAutovacuumOff(answering(async () => Promise.reject(new Error("connection refused"))), log, "worker")).toBe(false);
    expect(lines).toEqual([]);
  });
});
