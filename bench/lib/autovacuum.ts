import pg from "pg";
import { autovacuumIsOff } from "../../lib/db/autovacuum-warning";

/**
 * Stands in for PostgreSQL's autovacuum when the server has it switched off (this machine's
 * PostgreSQL does). Without it no table is ever analyzed: a prepared statement planned while
 * `runs` held a few rows keeps that plan as it grows, e.g. the run view scanning a workspace's
 * runs instead of using the primary key, and the benchmark slows down with every run it makes
 * (sum workflow at 10 concurrent: 230–260 requests/s and PostgreSQL's CPU per run climbing from
 * 1.6 to 6 ms over 18,000 runs, against a flat 300–310 requests/s and 1.9 ms with this). A server
 * in production runs autovacuum, so the benchmarks measure against that.
 *
 * Every `everyMs` it vacuums and analyzes the tables that pass autovacuum's default thresholds
 * (vacuum: 50 + 20 % of the rows dead, or 1,000 + 20 % inserted since the last vacuum; analyze:
 * 50 + 10 % changed). Autovacuum checks each database every minute (autovacuum_naptime); a short
 * benchmark checks more often so it reaches the steady state a long-running server is in. Its
 * connection serves the bench database, so its CPU is counted with PostgreSQL's.
 */
export interface AutovacuumStandIn {
  /** One pass now (after a benchmark's setup: a long-running server's tables have long been analyzed). */
  passNow: () => Promise<void>;
  stop: () => Promise<void>;
}

export async function startAutovacuumStandIn(databaseUrl: string, everyMs = 15_000): Promise<AutovacuumStandIn> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  if (!(await autovacuumIsOff(client))) {
    await client.end();
    return { passNow: async () => {}, stop: async () => {} };
  }
  console.log(`autovacuum is off on this PostgreSQL server: the bench vacuums and analyzes its tables at autovacuum's thresholds every ${everyMs / 1000} s, as autovacuum would`);
  let running: Promise<void> = Promise.resolve();
  const pass = async () => {
    const due = await client.query<{ statement: string }>(DUE_STATEMENTS);
    for (const { statement } of due.rows) await client.query(statement);
  };
  // One pass at a time, on the one connection.
  const queuePass = () => (running = running.then(pass).catch((error: unknown) => console.error(`autovacuum stand-in: ${String(error)}`)));
  const timer = setInterval(queuePass, everyMs);
  timer.unref();
  return {
    passNow: queuePass,
    stop: async () => {
      clearInterval(timer);
      await running;
      await client.end();
    },
  };
}

/** The VACUUM (ANALYZE) or ANALYZE each user table is due for, by autovacuum's default formulas. */
const DUE_STATEMENTS = `
  WITH t AS (
    SELECT s.relname, s.n_dead_tup, s.n_ins_since_vacuum, s.n_mod_since_analyze, greatest(c.reltuples, 0) AS tuples
      FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
  )
  SELECT CASE WHEN n_dead_tup > 50 + 0.2 * tuples OR n_ins_since_vacuum > 1000 + 0.2 * tuples
              THEN format('VACUUM (ANALYZE) %I', relname) ELSE format('ANALYZE %I', relname) END AS statement
    FROM t
   WHERE n_dead_tup > 50 + 0.2 * tuples OR n_ins_since_vacuum > 1000 + 0.2 * tuples OR n_mod_since_analyze > 50 + 0.1 * tuples`;
