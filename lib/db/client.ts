import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient } from "@/lib/generated/prisma/client";
import { env } from "@/lib/env";
import { countPool } from "@/lib/metrics/io-counters";

export type Db = PrismaClient;

/**
 * The pg pool under each client. Prisma and the run hot path (lib/runs/run-sql.ts) share it: a
 * plain parameterised query costs about a fifteenth of the CPU of the same statement through
 * Prisma's query compiler, which matters for the several writes every step makes.
 */
// On globalThis, not module scope: Next bundles this module into several chunks, each with its own
// module state, while db() hands every chunk the one client kept on globalThis.
const shared = globalThis as unknown as { __weftPools?: WeakMap<Db, pg.Pool> };
const pools = (shared.__weftPools ??= new WeakMap<Db, pg.Pool>());

function createPool(options: pg.PoolConfig): pg.Pool {
  const pool = new pg.Pool(options);
  // A dropped idle connection is replaced on the next query; without a listener it would crash the process.
  pool.on("error", () => undefined);
  const countersDir = env().WEFT_BENCH_COUNTERS_DIR;
  if (countersDir) countPool(pool, countersDir);
  return pool;
}

export function createDb(connectionString: string = env().DATABASE_URL, applicationName: string = env().WEFT_DB_APPLICATION_NAME): Db {
  // Named so an operator (or a fault test) can tell the processes' connections apart in pg_stat_activity.
  const pool = createPool({ connectionString, max: 10, application_name: applicationName });
  // disposeExternalPool: $disconnect() still closes every connection, as with Prisma's own pool.
  const client = new PrismaClient({ adapter: new PrismaPg(pool, { disposeExternalPool: true }) });
  pools.set(client, pool);
  return client;
}

export function poolOf(client: Db): pg.Pool {
  const pool = pools.get(client);
  if (!pool) throw new Error("This database client was not made by createDb, so it has no pool for raw SQL.");
  if (!pool.ending) return pool;
  // $disconnect() ended the pool; Prisma opens a pool of its own on its next query, so raw SQL
  // does the same rather than fail with "Cannot use a pool after calling end on the pool".
  const fresh = createPool(pool.options);
  pools.set(client, fresh);
  return fresh;
}

// One client per process; kept on globalThis so Next's dev reloads do not open new pools.
const holder = globalThis as unknown as { __weftDb?: Db };

export function db(): Db {
  holder.__weftDb ??= createDb();
  return holder.__weftDb;
}
