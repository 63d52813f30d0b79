import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { childrenOf } from "./proc";

/**
 * The SQL statements and Redis commands the app's processes send, as lib/metrics/io-counters.ts
 * counts them inside each process (WEFT_BENCH_COUNTERS_DIR set): read, summed over processes,
 * subtracted and printed per run by the HTTP benchmarks.
 */
export interface Counts {
  sql: number;
  sqlByKind: Record<string, number>;
  redisCommands: number;
  redisRoundTrips: number;
  redisByCommand: Record<string, number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The counters of one process, zero when it has none yet. */
function readCounts(dir: string, pid: number): Counts {
  try {
    const raw = JSON.parse(fs.readFileSync(path.join(dir, `${pid}.json`), "utf8")) as {
      sql: { statements: number; byKind: Record<string, number> };
      redis: { commands: number; roundTrips: number; byCommand: Record<string, number> };
    };
    return { sql: raw.sql.statements, sqlByKind: raw.sql.byKind, redisCommands: raw.redis.commands, redisRoundTrips: raw.redis.roundTrips, redisByCommand: raw.redis.byCommand };
  } catch {
    return { sql: 0, sqlByKind: {}, redisCommands: 0, redisRoundTrips: 0, redisByCommand: {} };
  }
}

/** The web tree's processes (the server and any child it starts). */
export function webPids(web: ChildProcess | null): number[] {
  if (web?.pid) return [web.pid, ...childrenOf(web.pid)];
  return [];
}

export function sumCounts(dir: string, pids: number[]): Counts {
  const total: Counts = { sql: 0, sqlByKind: {}, redisCommands: 0, redisRoundTrips: 0, redisByCommand: {} };
  for (const pid of pids) {
    const c = readCounts(dir, pid);
    total.sql += c.sql;
    total.redisCommands += c.redisCommands;
    total.redisRoundTrips += c.redisRoundTrips;
    for (const [k, v] of Object.entries(c.sqlByKind)) total.sqlByKind[k] = (total.sqlByKind[k] ?? 0) + v;
    for (const [k, v] of Object.entries(c.redisByCommand)) total.redisByCommand[k] = (total.redisByCommand[k] ?? 0) + v;
  }
  return total;
}

export function diffCounts(after: Counts, before: Counts): Counts {
  const sub = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(Object.entries(a).map(([k, v]) => [k, v - (b[k] ?? 0)]).filter(([, v]) => (v as number) !== 0));
  return {
    sql: after.sql - before.sql,
    sqlByKind: sub(after.sqlByKind, before.sqlByKind),
    redisCommands: after.redisCommands - before.redisCommands,
    redisRoundTrips: after.redisRoundTrips - before.redisRoundTrips,
    redisByCommand: sub(after.redisByCommand, before.redisByCommand),
  };
}

export const perRun = (value: number, runs: number) => (value / runs).toFixed(2);
const breakdown = (table: Record<string, number>, runs: number) =>
  Object.entries(table)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k} ${perRun(v, runs)}`)
    .join(", ");

/** One line: SQL statements by kind and Redis commands and round trips by command, per run. */
export const countsLine = (counts: Counts, runs: number) =>
  `SQL ${perRun(counts.sql, runs)} [${breakdown(counts.sqlByKind, runs)}]; Redis ${perRun(counts.redisCommands, runs)} commands in ${perRun(counts.redisRoundTrips, runs)} round trips [${breakdown(counts.redisByCommand, runs)}]`;

/**
 * Asks every counting process that says it handles SIGUSR2 to write its counts now; a process
 * built before that (its file lacks `writesOnSignal`) writes on a 200 ms timer instead, and would
 * die of the signal, so it is only waited for.
 */
export async function settleCounters(dir: string): Promise<void> {
  await sleep(100);
  for (const file of fs.readdirSync(dir).filter((name) => /^\d+\.json$/.test(name))) {
    try {
      const written = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")) as { writesOnSignal?: boolean };
      if (written.writesOnSignal) process.kill(Number(file.slice(0, -5)), "SIGUSR2");
    } catch {
      // Being rewritten, or the process has exited.
    }
  }
  await sleep(500);
}
