import type pg from "pg";

/**
 * Weft's hot statements are prepared once per connection (lib/db/prepared.ts), and PostgreSQL keeps
 * a prepared statement's plan until the tables it reads are analyzed again. With autovacuum off
 * nothing analyzes them: plans made while `runs` held a few rows stay in use as it grows (the run
 * view then scans a workspace's runs instead of reading one by its key), and every run costs more
 * than the one before. The worker says so at start-up; the operator turns autovacuum on or runs
 * VACUUM (ANALYZE) on a schedule (README, "PostgreSQL maintenance").
 */
export const AUTOVACUUM_WARNING =
  "PostgreSQL's autovacuum is off: Weft's tables are never analyzed or vacuumed, so query plans made while they were small stay in use " +
  "and runs get slower as the tables grow. Turn autovacuum on (autovacuum = on in postgresql.conf) or run VACUUM (ANALYZE) regularly.";

/** Whether the server behind `client` has autovacuum off (the benchmarks stand in for it then: bench/lib/autovacuum.ts). */
export async function autovacuumIsOff(client: Pick<pg.ClientBase, "query">): Promise<boolean> {
  const { rows } = await client.query<{ autovacuum: string }>("SHOW autovacuum");
  return rows[0]?.autovacuum === "off";
}

/** Logs the warning when the server's autovacuum is off; returns whether it did. A failed check logs nothing. */
export async function warnIfAutovacuumOff(pool: pg.Pool, log: { warn: (object: object, message: string) => void }, service: string): Promise<boolean> {
  try {
    if (!(await autovacuumIsOff(pool))) return false;
  } catch {
    return false;
  }
  log.warn({ service, setting: "autovacuum" }, AUTOVACUUM_WARNING);
  return true;
}
