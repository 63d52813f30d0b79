/**
 * Commits that need not wait for the WAL to reach the disk (`synchronous_commit` off for one
 * transaction; on this machine a durable commit waits about 1.5 ms for its flush).
 *
 * Why this loses nothing: the WAL is one sequence, so the next durable commit of any session
 * flushes every earlier record with its own, and a database crash loses only unflushed commits
 * made after the last durable one. A write may use it when losing it in such a crash is harmless
 * because nothing durable depends on it yet and no one has been told of it: a run's lease (the
 * run is taken again from its durable steps, as after a worker crash), a step that may simply be
 * computed again (deferrable and lazy steps, lib/runs/step-store.ts), the row of a run whose
 * caller is answered only after the run's durable end (or after flushEarlierCommits).
 */

/** A FROM item whose evaluation turns the flush off for the statement's own transaction only. */
export const COMMIT_WITHOUT_FLUSH = `(SELECT set_config('synchronous_commit', 'off', true)) AS commit_without_flush`;

/**
 * `change` (an INSERT, UPDATE or DELETE without RETURNING) committed without the flush: the
 * statement returns one row, `written`, the number of rows it changed.
 */
export const withoutFlush = (change: string) =>
  `WITH changed AS (${change} RETURNING 1) SELECT (SELECT count(*) FROM changed)::int AS written FROM ${COMMIT_WITHOUT_FLUSH}`;
