import type pg from "pg";
import { prepared } from "@/lib/db/prepared";
import { COMMIT_WITHOUT_FLUSH, withoutFlush } from "@/lib/db/unflushed";
import { retried } from "@/lib/db/retry";
import { RUN_VIEW_STEP_COLUMNS, runViewJson } from "./run-view-sql";
import { stepOrderSql } from "./step-order";

/**
 * The run hot path's SQL, on the pg pool under Prisma (lib/db/client.ts poolOf). Every statement
 * that writes a step is fenced in the same statement by the run's lease token and status, so a
 * worker that lost the run cannot land a write, and no separate "do I still hold it" read is needed.
 *
 * Transient faults (a terminated connection, a failover) are retried (lib/db/retry.ts), so every
 * statement here is safe to run twice: writes set absolute values, and the two that are not
 * naturally idempotent (beginStepRow, finishRunRow) recognise their own earlier success.
 *
 * The statements every run sends are prepared statements (lib/db/prepared.ts).
 *
 * Timestamps: the columns are `timestamp(3)` holding UTC (Prisma's convention), so times are
 * written as `now() AT TIME ZONE 'UTC'` or as UTC strings, and read back `AT TIME ZONE 'UTC'`.
 */

/** A finished step kept in memory until the next flush (see step-store.ts). */
export interface StepRow {
  nodeId: string;
  nodeType: string;
  iteration: number;
  /** `running`: a lazy step still going after LAZY_RUNNING_MS (step-store.ts), its row written with its true start. */
  status: "succeeded" | "failed" | "skipped" | "running";
  input?: unknown;
  output?: unknown;
  error?: unknown;
  detail?: unknown;
  branch?: string | null;
  attempt: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  startedAt: Date;
  finishedAt: Date | null;
}

/** UTC wall-clock text for a `timestamp(3)` column. */
const utc = (date: Date) => date.toISOString().slice(0, 23).replace("T", " ");

/** JSON for a jsonb parameter; undefined and null become SQL NULL. */
export const jsonParam = (value: unknown) => (value === undefined || value === null ? null : JSON.stringify(value));

/**
 * A step's cost column: model-calling nodes report their cost as `detail.cost` ({ currency: amount },
 * lib/models/cost.ts), copied into the column so runs can sum it (see RUN_COST).
 */
const stepCost = (detail: string) => `CASE WHEN jsonb_typeof(${detail}->'cost') = 'object' THEN ${detail}->'cost' END`;

/** A run's cost by currency from its own steps (steps reused from an earlier run were paid by that run). */
const RUN_COST = `(SELECT jsonb_object_agg(currency, amount) FROM (
    SELECT c.key AS currency, round(sum((c.value)::numeric), 10) AS amount
    FROM run_steps s, jsonb_each_text(s.cost) c
    WHERE s."runId" = $1 AND s."reusedFromStepId" IS NULL AND jsonb_typeof(s.cost) = 'object' AND c.value ~ '^-?[0-9.eE+-]+$'
    GROUP BY c.key) sums)`;

/**
 * A run's warnings: problems its own steps survived, each listed in the step's `detail.warnings`
 * (an Agent's tool call that failed and was never recovered, a Tool node continuing after an error).
 */
const RUN_WARNINGS = `(SELECT COALESCE(SUM(jsonb_array_length(s.detail->'warnings')), 0)::int
    FROM run_steps s WHERE s."runId" = $1 AND s."reusedFromStepId" IS NULL AND jsonb_typeof(s.detail->'warnings') = 'array')`;

const FENCE = `EXISTS (SELECT 1 FROM runs WHERE id = $1 AND "leaseToken" = $2 AND status = 'running')`;

/** The JSON parameter of INSERT_STEPS. */
function stepRecords(rows: StepRow[]): string {
  return JSON.stringify(
    rows.map((row) => ({
      nodeId: row.nodeId,
      nodeType: row.nodeType,
      iteration: row.iteration,
      status: row.status,
      input: row.input ?? null,
      output: row.output ?? null,
      error: row.error ?? null,
      detail: row.detail ?? null,
      branch: row.branch ?? null,
      attempt: row.attempt,
      promptTokens: row.promptTokens,
      completionTokens: row.completionTokens,
      totalTokens: row.totalTokens,
      startedAt: utc(row.startedAt),
      finishedAt: row.finishedAt ? utc(row.finishedAt) : null,
    })),
  );
}

/** Inserts (or overwrites) the steps in $3 (stepRecords) while $1/$2 hold the lease. */
const INSERT_STEPS = `INSERT INTO run_steps (id, "runId", "nodeId", "nodeType", iteration, status, input, output, error, detail, branch, attempt,
        "promptTokens", "completionTokens", "totalTokens", cost, "startedAt", "finishedAt")
     SELECT gen_random_uuid()::text, $1, r."nodeId", r."nodeType", r.iteration, r.status::"StepStatus",
        NULLIF(r.input, 'null'), NULLIF(r.output, 'null'), NULLIF(r.error, 'null'), NULLIF(r.detail, 'null'), r.branch, r.attempt,
        r."promptTokens", r."completionTokens", r."totalTokens", ${stepCost("r.detail")}, r."startedAt", r."finishedAt"
     FROM jsonb_to_recordset($3::jsonb) AS r("nodeId" text, "nodeType" text, iteration int, status text, input jsonb, output jsonb,
        error jsonb, detail jsonb, branch text, attempt int, "promptTokens" int, "completionTokens" int, "totalTokens" int,
        "startedAt" timestamp(3), "finishedAt" timestamp(3))
     WHERE ${FENCE}
     ON CONFLICT ("runId", "nodeId", iteration) DO UPDATE SET
        status = EXCLUDED.status, input = EXCLUDED.input, output = EXCLUDED.output, error = EXCLUDED.error, detail = EXCLUDED.detail,
        branch = EXCLUDED.branch, attempt = EXCLUDED.attempt, "promptTokens" = EXCLUDED."promptTokens",
        "completionTokens" = EXCLUDED."completionTokens", "totalTokens" = EXCLUDED."totalTokens", cost = EXCLUDED.cost,
        "startedAt" = EXCLUDED."startedAt", "finishedAt" = EXCLUDED."finishedAt"`;

const WRITE_STEPS = prepared("write_steps", INSERT_STEPS);
const WRITE_STEPS_UNFLUSHED = prepared("write_steps_unflushed", withoutFlush(INSERT_STEPS));

/**
 * Inserts (or overwrites) finished steps in one statement; the number of rows written (0 when
 * fenced out). `flush: false` for steps that may be computed again (lib/db/unflushed.ts).
 */
export async function writeStepRows(pool: pg.Pool, runId: string, leaseToken: number, rows: StepRow[], options: { flush?: boolean } = {}): Promise<number> {
  if (rows.length === 0) return 0;
  const params = [runId, leaseToken, stepRecords(rows)];
  if (options.flush === false) {
    const result = await retried(() => pool.query<{ written: number }>(WRITE_STEPS_UNFLUSHED(params)));
    return result.rows[0]?.written ?? 0;
  }
  const result = await retried(() => pool.query(WRITE_STEPS(params)));
  return result.rowCount ?? 0;
}

const BEGIN_STEP = `INSERT INTO run_steps (id, "runId", "nodeId", "nodeType", iteration, status, attempt, "startedAt")
      SELECT gen_random_uuid()::text, $1, $3, $4, $5, 'running', $6, now() AT TIME ZONE 'UTC'
      WHERE ${FENCE}`;
// A row already running with exactly the expected attempt is this call's own earlier try
// (committed before its connection dropped): a retry does not count the attempt twice.
const REOPEN_STEP = `ON CONFLICT ("runId", "nodeId", iteration) DO UPDATE SET
         status = 'running', "startedAt" = EXCLUDED."startedAt", "finishedAt" = NULL, error = NULL,
         attempt = CASE WHEN run_steps.status = 'running' AND run_steps.attempt = $6 THEN $6 ELSE run_steps.attempt + 1 END
      RETURNING attempt`;
const BEGIN_STEP_ALONE = prepared("begin_step", `${BEGIN_STEP} ${REOPEN_STEP}`);
const BEGIN_STEP_AFTER_BATCH = prepared(
  "begin_step_after_batch",
  `WITH batch AS (${INSERT_STEPS.replace("$3::jsonb", "$7::jsonb")} RETURNING 1)
   ${BEGIN_STEP} AND (SELECT count(*) FROM batch) = $8 ${REOPEN_STEP}`,
);

/**
 * Writes (or re-opens) a step as running; its attempt number, or null when fenced out. `attempt` is
 * the number the caller expects (one more than the last it knows of). `batch` (finished pure steps
 * that began earlier, see step-store.ts) is written by the same statement, first, so rows keep the
 * order steps began and the step costs one statement, not two. The batch upserts, so a retried
 * statement writes the same rows again.
 */
export async function beginStepRow(
  pool: pg.Pool,
  runId: string,
  leaseToken: number,
  step: { nodeId: string; nodeType: string; iteration: number },
  attempt = 1,
  batch: StepRow[] = [],
): Promise<number | null> {
  const params = [runId, leaseToken, step.nodeId, step.nodeType, step.iteration, attempt];
  const result = await retried(() =>
    batch.length === 0
      ? pool.query<{ attempt: number }>(BEGIN_STEP_ALONE(params))
      : pool.query<{ attempt: number }>(BEGIN_STEP_AFTER_BATCH([...params, stepRecords(batch), batch.length])),
  );
  return result.rows[0]?.attempt ?? null;
}

const FINISH_STEP = prepared(
  "finish_step",
  `UPDATE run_steps s SET status = $5::"StepStatus", input = $6::jsonb, output = COALESCE($7::jsonb, s.output), error = $8::jsonb,
      detail = $9::jsonb, branch = $10, "promptTokens" = $11, "completionTokens" = $12, "totalTokens" = $13,
      cost = ${stepCost("$9::jsonb")}, "finishedAt" = now() AT TIME ZONE 'UTC'
   FROM runs r
   WHERE s."runId" = $1 AND s."nodeId" = $3 AND s.iteration = $4 AND r.id = $1 AND r."leaseToken" = $2`,
);

/** Finishes a step that was begun (succeeded or failed); false when fenced out. Fenced by lease only, as a step may end after a cancel. */
export async function finishStepRow(
  pool: pg.Pool,
  runId: string,
  leaseToken: number,
  step: Omit<StepRow, "nodeType" | "attempt" | "startedAt" | "finishedAt">,
): Promise<boolean> {
  // Absolute values only: running it twice (a retry after a lost reply) writes the same row.
  const result = await retried(() => pool.query(
    FINISH_STEP([
      runId,
      leaseToken,
      step.nodeId,
      step.iteration,
      step.status,
      jsonParam(step.input),
      jsonParam(step.output),
      jsonParam(step.error),
      jsonParam(step.detail),
      step.branch ?? null,
      step.promptTokens,
      step.completionTokens,
      step.totalTokens,
    ]),
  ));
  return (result.rowCount ?? 0) > 0;
}

/**
 * Records a run's cost where the run stops without finishRunRow (parked, cancelled): copies
 * `detail.cost` into steps whose cost column is empty (waits are written through Prisma), then sums
 * the run's own steps with the same RUN_COST as finishRunRow. Idempotent.
 */
export async function recordRunCostRow(pool: pg.Pool, runId: string): Promise<void> {
  await retried(() => pool.query(`UPDATE run_steps SET cost = ${stepCost("detail")} WHERE "runId" = $1 AND cost IS NULL AND jsonb_typeof(detail->'cost') = 'object'`, [runId]));
  await retried(() => pool.query(`UPDATE runs SET cost = ${RUN_COST}, warnings = ${RUN_WARNINGS} WHERE id = $1`, [runId]));
}

/** Why a fenced write found nothing to write: the run was cancelled under this lease, or the lease is gone. */
export async function fenceFailure(pool: pg.Pool, runId: string, leaseToken: number): Promise<"cancelled" | "lost"> {
  const result = await retried(() => pool.query<{ status: string; leaseToken: number }>(`SELECT status, "leaseToken" FROM runs WHERE id = $1`, [runId]));
  const run = result.rows[0];
  return run && run.leaseToken === leaseToken && run.status === "cancelled" ? "cancelled" : "lost";
}

export interface LoadedStepRow {
  nodeId: string;
  iteration: number;
  nodeType: string;
  status: "running" | "waiting" | "succeeded" | "failed" | "skipped";
  output: Record<string, unknown> | null;
  branch: string | null;
  error: unknown;
  attempt: number;
  wait_status: "pending" | "answered" | "timed_out" | "cancelled" | null;
  wait_response: unknown;
  wait_answered_by: string | null;
  wait_answered_at: Date | null;
}

const LOAD_STEPS = prepared(
  "load_steps",
  `SELECT s."nodeId", s.iteration, s."nodeType", s.status, s.output, s.branch, s.error, s.attempt,
      w.status AS wait_status, w.response AS wait_response, w."answeredById" AS wait_answered_by,
      (w."answeredAt" AT TIME ZONE 'UTC') AS wait_answered_at
   FROM run_steps s
   LEFT JOIN run_waits w ON w."runId" = s."runId" AND w."nodeId" = s."nodeId" AND w.iteration = s.iteration AND w.slot = ''
   WHERE s."runId" = $1
   ORDER BY ${stepOrderSql("s")}`,
);

/** Every step of a run with its own wait (if any; not the waits held inside a running step), in the order the steps started. */
export async function loadStepRows(pool: pg.Pool, runId: string): Promise<LoadedStepRow[]> {
  const result = await retried(() => pool.query<LoadedStepRow>(LOAD_STEPS([runId])));
  return result.rows;
}

export interface LeasedRun {
  workspaceId: string;
  graph: unknown;
  inputs: unknown;
  /** The new fencing token this worker holds. */
  leaseToken: number;
  /** When the run first started, before this pickup (null: this is its first start). */
  previousStart: Date | null;
  parentRunId: string | null;
  sourceRunId: string | null;
  /** "node_test" for a test of one node (lib/runs/node-test.ts), whose node is `sourceNodeId`. */
  sourceKind: string | null;
  sourceNodeId: string | null;
  /** The published version the run executes (null for a draft run). */
  workflowVersionId: string | null;
  workflowId: string | null;
}

/** How long a run's lease lasts without renewal (the worker renews it for its active runs, lib/runs/lease.ts). */
export const RUN_LEASE_MS = 15_000;

/**
 * Takes a queued or running run in one statement: status running, this worker as owner, the
 * fencing token bumped (which fences out any earlier holder), the lease valid for `leaseMs`. Null
 * when the run is finished, waiting or gone. A retry after a lost reply bumps the token once more,
 * which only fences out this worker's own first try.
 */
const LEASE_SET = `status = 'running', "leaseOwner" = $2, "leaseToken" = "leaseToken" + 1,
      "leaseExpiresAt" = now() AT TIME ZONE 'UTC' + $3 * interval '1 millisecond',
      "startedAt" = COALESCE("startedAt", now() AT TIME ZONE 'UTC'),
      "throttledReason" = NULL, "throttledUntil" = NULL`;
const LEASE_RETURNING = `"workspaceId", "workflowId", graph, inputs, "leaseToken", "parentRunId", "sourceRunId", "sourceKind", "sourceNodeId", "workflowVersionId",
      ("startedAt" AT TIME ZONE 'UTC') AS "startedAt", ("startedAt" = (now() AT TIME ZONE 'UTC')::timestamp(3)) AS "firstStart"`;

const TAKE_LEASE = prepared("take_lease", `UPDATE runs SET ${LEASE_SET} WHERE id = $1 AND status IN ('queued', 'running') RETURNING ${LEASE_RETURNING}`);

/**
 * The lease of a run whose workflow has no concurrency limit, or that limit: the workflow's limit
 * and the lease in one statement, since nearly every workflow has none (lib/limits/workflow-concurrency.ts).
 * It commits without waiting for the WAL flush (lib/db/unflushed.ts): the first durable write
 * under this lease flushes it, and a lease lost in a database crash before that leaves the run
 * queued or under an expired lease, taken again from its durable steps as after a worker crash.
 */
const TAKE_LEASE_UNLESS_LIMITED = prepared(
  "take_lease_unless_limited",
  `WITH workflow AS (
     SELECT w.id AS "limitedWorkflowId", w.name AS "limitedName", w."maxConcurrentRuns" AS "limit"
     FROM runs r LEFT JOIN workflows w ON w.id = r."workflowId" WHERE r.id = $1
   ), leased AS (
     UPDATE runs SET ${LEASE_SET}
     FROM ${COMMIT_WITHOUT_FLUSH}
     WHERE id = $1 AND status IN ('queued', 'running') AND NOT EXISTS (SELECT 1 FROM workflow WHERE "limit" IS NOT NULL)
     RETURNING ${LEASE_RETURNING}
   )
   SELECT workflow.*, leased.* FROM workflow LEFT JOIN leased ON true`,
);

type LeaseRow = LeasedRun & { startedAt: Date; firstStart: boolean };

function leasedRun({ startedAt, firstStart, ...rest }: LeaseRow): LeasedRun {
  return { ...rest, previousStart: firstStart ? null : startedAt };
}

/**
 * The lease alone, inside a caller's transaction (lib/limits/workflow-concurrency.ts counts the
 * workflow's running runs under a lock first). A taken run is no longer throttled.
 */
export async function leaseStatement(client: pg.Pool | pg.PoolClient, runId: string, workerId: string, leaseMs: number): Promise<LeasedRun | null> {
  // now() is the statement's transaction time, so "startedAt" equals it exactly when this statement
  // set it: the run's first start. (A CTE reading the old row would see nothing here: the row is
  // changed by this same command.) Under a concurrent pickup PostgreSQL re-evaluates the SET on the
  // latest row version, so only one pickup can ever be the first.
  const result = await client.query<LeaseRow>(TAKE_LEASE([runId, workerId, leaseMs]));
  const row = result.rows[0];
  return row ? leasedRun(row) : null;
}

/** A workflow's concurrency limit, as takeLeaseUnlessLimited found it. */
export interface WorkflowLimit {
  workflowId: string;
  name: string;
  max: number;
}

/**
 * The run's lease (null: no such run, or not leasable), unless its workflow has a concurrency
 * limit: then nothing is written and the limit is returned, for the caller to count and lease
 * under the workflow's lock.
 */
export async function takeLeaseUnlessLimited(pool: pg.Pool, runId: string, workerId: string, leaseMs: number): Promise<LeasedRun | WorkflowLimit | null> {
  const result = await retried(() => pool.query<Partial<LeaseRow> & { limitedWorkflowId: string | null; limitedName: string | null; limit: number | null }>(TAKE_LEASE_UNLESS_LIMITED([runId, workerId, leaseMs])));
  const row = result.rows[0];
  if (!row) return null;
  const { limitedWorkflowId, limitedName, limit, ...lease } = row;
  if (limit !== null && limitedWorkflowId !== null) return { workflowId: limitedWorkflowId, name: limitedName ?? "", max: limit };
  return lease.leaseToken == null ? null : leasedRun(lease as LeaseRow);
}

/** What a step still `running` when its run ends failed or cancelled is closed with. */
const interrupted = (status: "succeeded" | "failed" | "cancelled") =>
  status === "cancelled"
    ? { code: "cancelled", message: "The run was cancelled while this step was running." }
    : { code: "internal", message: "The run ended while this step was running." };

/**
 * Writes a finished run's outcome, and the steps still waiting to be written (pure nodes: no
 * tokens, no cost), in one statement. Token totals and cost are summed from the step rows already
 * written, so a resumed run also counts the steps done before a crash. A failed or cancelled run
 * closes, in the same statement, any step of it still `running` (a step whose own write was lost),
 * so no finished run shows a step in progress. Fenced by the lease: null when fenced out (then
 * nothing at all is written). With `view`, the same statement also returns the run's public view
 * as JSON text (run-view-sql.ts), for a synchronous caller waiting for the end; a retry that finds
 * its first try committed returns none.
 */
export async function finishRunRow(
  pool: pg.Pool,
  runId: string,
  leaseToken: number,
  outcome: { status: "succeeded" | "failed" | "cancelled"; output?: unknown; error?: unknown },
  rows: StepRow[] = [],
  options: { view?: boolean } = {},
): Promise<{ finishedAt: Date; view?: string } | null> {
  if (rows.some((row) => row.totalTokens > 0 || row.promptTokens > 0 || row.completionTokens > 0)) {
    // Not a pure step after all: write the batch on its own so the sums below include it.
    if (rows.length > 0 && (await writeStepRows(pool, runId, leaseToken, rows)) === 0) return null;
    rows = [];
  }
  const closing = outcome.status !== "succeeded";
  const params = [runId, leaseToken, outcome.status, jsonParam(outcome.output), jsonParam(outcome.error), stepRecords(rows), rows.length];
  // $8, the interrupted step's error, exists only in the closing forms (PostgreSQL refuses a parameter a statement never uses).
  if (closing) params.push(JSON.stringify(interrupted(outcome.status)));
  const forms = closing ? FINISH_RUN.closing : FINISH_RUN.succeeded;
  const statement = options.view ? forms.withView : forms.plain;
  return retried(async (attempt) => {
    const result = await pool.query<{ finishedAt: Date; view?: string }>(statement(params));
    if (result.rows[0] || attempt === 1) return result.rows[0] ?? null;
    // A retry that finds nothing to do: the first try may have committed before its reply was lost.
    // The same lease token with this outcome can only be that write (a takeover bumps the token).
    const mine = await pool.query<{ finishedAt: Date }>(
      `SELECT ("finishedAt" AT TIME ZONE 'UTC') AS "finishedAt" FROM runs WHERE id = $1 AND "leaseToken" = $2 AND status = $3::"RunStatus" AND "finishedAt" IS NOT NULL`,
      [runId, leaseToken, outcome.status],
    );
    return mine.rows[0] ?? null;
  });
}

/**
 * The statement of finishRunRow ($1 run, $2 lease token, $3 status, $4 output, $5 error, $6/$7 step
 * batch and its size, $8 interrupted-step error). `closing` (a failed or cancelled run) adds the
 * closing of steps still running; a succeeded run's statement leaves that part out rather than
 * have PostgreSQL set it up for nothing. With the view, the steps it shows are those this
 * statement writes (`batch`, `closed`: a statement does not see its own writes) and the run's
 * other rows as they were.
 */
function finishRunStatement(options: { closing: boolean; view: boolean }): string {
  const returned = options.view ? RUN_VIEW_STEP_COLUMNS : "1";
  const written = options.closing ? ["batch", "closed"] : ["batch"];
  const steps = `(${written.map((cte) => `SELECT ${RUN_VIEW_STEP_COLUMNS} FROM ${cte} UNION ALL `).join("")}SELECT ${RUN_VIEW_STEP_COLUMNS} FROM run_steps o
      WHERE o."runId" = $1 ${written.map((cte) => `AND NOT EXISTS (SELECT 1 FROM ${cte} w WHERE w."nodeId" = o."nodeId" AND w.iteration = o.iteration)`).join(" ")}) s`;
  const closed = `,
     closed AS (
       UPDATE run_steps s SET status = 'failed', error = $8::jsonb, "finishedAt" = now() AT TIME ZONE 'UTC'
       WHERE s."runId" = $1 AND s.status = 'running' AND ${FENCE}
         AND NOT EXISTS (SELECT 1 FROM jsonb_to_recordset($6::jsonb) AS b("nodeId" text, iteration int) WHERE b."nodeId" = s."nodeId" AND b.iteration = s.iteration)
       RETURNING ${returned})`;
  return `WITH batch AS (${INSERT_STEPS.replace("$3::jsonb", "$6::jsonb")} RETURNING ${returned})${options.closing ? closed : ""}
     UPDATE runs SET status = $3::"RunStatus", output = $4::jsonb, error = $5::jsonb, cost = ${RUN_COST}, warnings = ${RUN_WARNINGS},
        "promptTokens" = t.prompt, "completionTokens" = t.completion, "totalTokens" = t.total,
        "finishedAt" = now() AT TIME ZONE 'UTC', "leaseOwner" = NULL, "leaseExpiresAt" = NULL
     FROM (SELECT COALESCE(SUM("promptTokens"), 0)::int AS prompt, COALESCE(SUM("completionTokens"), 0)::int AS completion,
              COALESCE(SUM("totalTokens"), 0)::int AS total
           FROM run_steps WHERE "runId" = $1) t
     WHERE id = $1 AND "leaseToken" = $2 AND status = 'running' AND (SELECT count(*) FROM batch) = $7
     RETURNING ("finishedAt" AT TIME ZONE 'UTC') AS "finishedAt"${options.view ? `, ${runViewJson("runs", steps)}::text AS view` : ""}`;
}

/** The four forms of the final statement: for a succeeded or a closing (failed, cancelled) run, each without and with the view. */
const FINISH_RUN = {
  succeeded: {
    plain: prepared("finish_run", finishRunStatement({ closing: false, view: false })),
    withView: prepared("finish_run_with_view", finishRunStatement({ closing: false, view: true })),
  },
  closing: {
    plain: prepared("finish_run_closing", finishRunStatement({ closing: true, view: false })),
    withView: prepared("finish_run_closing_with_view", finishRunStatement({ closing: true, view: true })),
  },
};
