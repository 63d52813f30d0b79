import { randomUUID } from "node:crypto";
import { db, poolOf } from "@/lib/db/client";
import type { RunOrigin } from "./initiator";
import { prepared } from "@/lib/db/prepared";
import { COMMIT_WITHOUT_FLUSH } from "@/lib/db/unflushed";
import { AUDIT_EVENT_COLUMNS, auditEventValues } from "@/lib/audit/record";
import { jsonParam } from "./step-sql";

export interface NewRun {
  /** Chosen by a caller that subscribes to the run's events before it exists; random otherwise. */
  id?: string;
  workspaceId: string;
  workflowId: string;
  workflowName: string;
  /** Runs of a published version point at it; draft test-runs leave it null. */
  workflowVersionId: string | null;
  graph: unknown;
  inputs: unknown;
  createdById: string | null;
  origin: RunOrigin;
}

/**
 * Writes a `queued` run row in one plain statement on Prisma's pool: every API run starts here,
 * and Prisma's query compiler costs several times the CPU of the statement itself. Times are UTC
 * (the columns' convention, see step-sql.ts).
 */
const RUN_VALUES = `INSERT INTO runs (id, "workspaceId", "workflowId", "workflowName", "workflowVersionId", graph, inputs, "createdById", trigger, "apiKeyId", "apiKeyName",
                     "triggerRefId", "triggerRefName", "triggerKey", "visitorId", "createdAt")
   VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7::jsonb, $8, $9, $10, $11, $12, $13, $14, $15, now() AT TIME ZONE 'UTC')`;
const INSERT_RUN = prepared("insert_run", RUN_VALUES);
/**
 * The run (`run`, $1–$15) and its audit entry (`run.started`, $16–$29) as the CTEs of one
 * statement: one round trip and one commit, and never one without the other. A statement that
 * writes rows referencing the run (a chat turn's messages, lib/chat/turn-sql.ts) adds them after
 * these, with its own parameters from $30 (RUN_WITH_AUDIT_PARAMS + 1).
 */
export const RUN_WITH_AUDIT = `run AS (${RUN_VALUES} RETURNING id),
   run_audit AS (INSERT INTO audit_events (${AUDIT_EVENT_COLUMNS}) SELECT ${auditEventValues(16)} FROM run)`;
export const RUN_WITH_AUDIT_PARAMS = 29;
const INSERT_RUN_AUDITED = prepared("insert_run_audited", `WITH ${RUN_WITH_AUDIT} SELECT id FROM run`);

/** The same, committed without the WAL flush (lib/db/unflushed.ts), for a caller that answers only once the run has ended. */
const INSERT_RUN_AUDITED_UNFLUSHED = prepared("insert_run_audited_unflushed", `WITH ${RUN_WITH_AUDIT} SELECT id FROM run CROSS JOIN ${COMMIT_WITHOUT_FLUSH}`);

/** RUN_VALUES' parameters for a run (its id chosen here unless given). */
export function runRowValues(run: NewRun): unknown[] {
  return [
    run.id ?? randomUUID(),
    run.workspaceId,
    run.workflowId,
    run.workflowName,
    run.workflowVersionId,
    jsonParam(run.graph),
    jsonParam(run.inputs) ?? "{}",
    run.createdById,
    run.origin.trigger,
    run.origin.apiKeyId ?? null,
    run.origin.apiKeyName ?? null,
    run.origin.triggerRefId ?? null,
    run.origin.triggerRefName ?? null,
    run.origin.triggerKey ?? null,
    run.origin.visitorId ?? null,
  ];
}

/**
 * Inserts the run; with `audit` (auditInsertValues of its `run.started` entry), the entry too, in
 * the same statement, and unflushed when `flush` is false (lib/db/unflushed.ts says when that is safe).
 */
export async function insertRunRow(run: NewRun, audit?: unknown[], options: { flush?: boolean } = {}): Promise<string> {
  const values = runRowValues(run);
  const audited = options.flush === false ? INSERT_RUN_AUDITED_UNFLUSHED : INSERT_RUN_AUDITED;
  await poolOf(db()).query(audit ? audited([...values, ...audit]) : INSERT_RUN(values));
  return values[0] as string;
}

/**
 * Makes every earlier commit durable: a commit with a transaction id of its own waits for the WAL
 * up to its record, and the WAL is one sequence. For a caller that inserted its run unflushed and
 * must answer before the run's end after all (the synchronous API's timeout).
 */
export async function flushEarlierCommits(): Promise<void> {
  await poolOf(db()).query("SELECT pg_current_xact_id()");
}
