import fs from "node:fs";
import path from "node:path";
import type { Redis } from "ioredis";
import type pg from "pg";

/**
 * Counts the SQL statements and Redis commands and round trips a process sends, for the HTTP
 * benchmark (bench/http-runs.ts), which reads them per run. Off unless WEFT_BENCH_COUNTERS_DIR is
 * set: then lib/db/client.ts and lib/queue/redis.ts hand every pool and connection to this module
 * and the totals are written to `<dir>/<pid>.json` when the process gets SIGUSR2. Never on in production use.
 */
export interface IoCounts {
  pid: number;
  /** This process writes its counts when it gets SIGUSR2 (older builds wrote them on a timer and die of the signal). */
  writesOnSignal: true;
  sql: { statements: number; byKind: Record<string, number> };
  redis: { commands: number; roundTrips: number; byCommand: Record<string, number> };
}

interface CounterState {
  counts: IoCounts;
  dumpDir?: string;
  dirty: boolean;
  /** ioredis prototypes already counting. */
  patched: WeakSet<object>;
}
// On globalThis, not module scope: Next bundles this module into several chunks (instrumentation.ts
// and the route handlers each get a copy), and a process has one set of counts and one file.
const shared = globalThis as unknown as { __weftIoCounters?: CounterState };
const state = (shared.__weftIoCounters ??= {
  counts: { pid: process.pid, writesOnSignal: true, sql: { statements: 0, byKind: {} }, redis: { commands: 0, roundTrips: 0, byCommand: {} } },
  dirty: false,
  patched: new WeakSet<object>(),
});
const counts = state.counts;

const bump = (table: Record<string, number>, key: string) => {
  table[key] = (table[key] ?? 0) + 1;
  state.dirty = true;
};

/** The statement's first keyword (SELECT, INSERT, WITH, BEGIN…), for the breakdown. */
export function sqlKind(query: unknown): string {
  const text = typeof query === "string" ? query : typeof query === "object" && query !== null && "text" in query ? String((query as { text: unknown }).text) : "";
  return /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? "OTHER";
}

/** The totals so far (a copy). */
export function ioCounts(): IoCounts {
  return structuredClone(counts);
}

/**
 * Writes the counts to `<dir>/<pid>.json` now. The benchmark asks with SIGUSR2 right before it
 * reads (a timer would add file writes to the very CPU figures the benchmark reports).
 */
export function writeIoCounts(): void {
  if (!state.dumpDir || !state.dirty) return;
  state.dirty = false;
  const file = path.join(state.dumpDir, `${process.pid}.json`);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(counts));
  fs.renameSync(`${file}.tmp`, file);
}

function startDumping(dir: string): void {
  if (state.dumpDir) return;
  state.dumpDir = dir;
  fs.mkdirSync(dir, { recursive: true });
  state.dirty = true;
  writeIoCounts();
  process.on("SIGUSR2", writeIoCounts);
}

/** Counts every statement sent on the pool's connections (Prisma's and the raw SQL alike). */
export function countPool(pool: pg.Pool, dir: string): void {
  startDumping(dir);
  pool.on("connect", (client: pg.PoolClient) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      counts.sql.statements += 1;
      bump(counts.sql.byKind, sqlKind(args[0]));
      return query(...args);
    };
  });
}

type SendCommand = (command: { name: string }, stream?: { isPipeline?: boolean }) => unknown;

/**
 * Counts the commands of every connection of this ioredis class (BullMQ's duplicated connections
 * included): each command once, each pipeline or MULTI once as a round trip.
 */
export function countRedis(redis: Redis, dir: string): void {
  startDumping(dir);
  const proto = Object.getPrototypeOf(redis) as { sendCommand: SendCommand };
  if (state.patched.has(proto)) return;
  state.patched.add(proto);
  const original = proto.sendCommand;
  const seenCommands = new WeakSet<object>();
  const seenPipelines = new WeakSet<object>();
  proto.sendCommand = function (this: unknown, command, stream) {
    // A command re-sent after a reconnect or from the offline queue passes here again: count it once.
    if (!seenCommands.has(command)) {
      seenCommands.add(command);
      counts.redis.commands += 1;
      bump(counts.redis.byCommand, command.name);
      if (!stream?.isPipeline) counts.redis.roundTrips += 1;
      else if (!seenPipelines.has(stream)) {
        seenPipelines.add(stream);
        counts.redis.roundTrips += 1;
      }
    }
    return original.call(this, command, stream);
  };
}
