import type pg from "pg";
import { retried } from "@/lib/db/retry";

/**
 * The PostgreSQL side of a run's lease. takeLeaseUnlessLimited (step-sql.ts) gives a worker the run for
 * RUN_LEASE_MS; the worker renews the lease of every run it is executing in one statement, so
 * a run whose lease is live is being worked on and the reconciler leaves it alone. A worker that
 * dies (or stalls) stops renewing and its leases expire.
 */

export interface RenewedLease {
  id: string;
  status: string;
}

/**
 * Extends the lease of this worker's runs that are still running, and reports the status of each
 * run it still owns, so one statement also tells the worker which of its runs were cancelled.
 */
export async function renewLeases(pool: pg.Pool, workerId: string, runIds: string[], leaseMs: number): Promise<RenewedLease[]> {
  if (runIds.length === 0) return [];
  const result = await retried(() =>
    pool.query<RenewedLease>(
      `UPDATE runs SET "leaseExpiresAt" = CASE WHEN status = 'running' THEN now() AT TIME ZONE 'UTC' + $3 * interval '1 millisecond' ELSE "leaseExpiresAt" END
       WHERE id = ANY($1::text[]) AND "leaseOwner" = $2
       RETURNING id, status::text AS status`,
      [runIds, workerId, leaseMs],
    ),
  );
  return result.rows;
}

/**
 * The reconciler's claim: of the given runs, those still queued or running with no live lease,
 * each given a short lease of `claimMs` (so no other pass takes them again until their job has had
 * time to start) — in the statement that re-checks status and lease, so a run that finished, was
 * parked or is leased by a live worker since it was listed is never re-queued.
 */
export async function claimOrphanedRuns(pool: pg.Pool, runIds: string[], claimMs: number): Promise<string[]> {
  if (runIds.length === 0) return [];
  const result = await retried(() =>
    pool.query<{ id: string }>(
      `UPDATE runs SET "leaseExpiresAt" = now() AT TIME ZONE 'UTC' + $2 * interval '1 millisecond'
       WHERE id = ANY($1::text[]) AND status IN ('queued', 'running')
         AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < now() AT TIME ZONE 'UTC')
       RETURNING id`,
      [runIds, claimMs],
    ),
  );
  return result.rows.map((row) => row.id);
}

/** Runs queued or running, created before `cutoff`, whose lease is not live: the reconciler's candidates. */
export async function unleasedActiveRuns(pool: pg.Pool, cutoff: Date, limit: number): Promise<string[]> {
  const result = await retried(() =>
    pool.query<{ id: string }>(
      `SELECT id FROM runs
       WHERE status IN ('queued', 'running') AND "createdAt" <= $1::timestamptz AT TIME ZONE 'UTC'
         AND ("leaseExpiresAt" IS NULL OR "leaseExpiresAt" < now() AT TIME ZONE 'UTC')
       ORDER BY "createdAt" ASC
       LIMIT $2`,
      [cutoff.toISOString(), limit],
    ),
  );
  return result.rows.map((row) => row.id);
}
