import { stepOrderSql } from "./step-order";

/**
 * The public API's view of a run (lib/api/runs.ts) as one JSON object built by PostgreSQL. Two
 * statements use this one expression: the read of a run by id (RUN_VIEW), and the run's final
 * statement when a synchronous caller waits for its end (step-sql.ts), whose view then travels
 * with the end message so the caller reads nothing more. One expression, so both give the same view.
 */

/** ISO-8601 UTC text of a `timestamp(3)` column (which holds UTC, Prisma's convention). */
const iso = (column: string) => `to_char(${column}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/** The step columns the view shows, for a FROM item that has run_steps' columns. */
export const RUN_VIEW_STEP_COLUMNS = `"nodeId", "nodeType", iteration, status, output, error, branch, "totalTokens", "startedAt", "finishedAt"`;

/**
 * The view of the run row `run` (a table name or alias in scope). `steps` is the FROM clause of the
 * run's steps, naming them `s` with at least RUN_VIEW_STEP_COLUMNS. Steps are listed in STEP_ORDER
 * (step-order.ts), so every read lists them alike.
 */
export function runViewJson(run: string, steps: string): string {
  return `json_build_object(
    'id', ${run}.id, 'workspaceId', ${run}."workspaceId", 'workflowId', ${run}."workflowId", 'workflowName', ${run}."workflowName",
    'version', (SELECT v.version FROM workflow_versions v WHERE v.id = ${run}."workflowVersionId"),
    'status', ${run}.status::text, 'inputs', ${run}.inputs, 'output', ${run}.output, 'error', ${run}.error,
    'promptTokens', ${run}."promptTokens", 'completionTokens', ${run}."completionTokens", 'totalTokens', ${run}."totalTokens",
    'cost', ${run}.cost, 'trigger', ${run}.trigger,
    'createdById', ${run}."createdById", 'createdByName', (SELECT u.name FROM users u WHERE u.id = ${run}."createdById"),
    'apiKeyId', ${run}."apiKeyId", 'apiKeyName', ${run}."apiKeyName", 'triggerRefId', ${run}."triggerRefId", 'triggerRefName', ${run}."triggerRefName",
    'createdAt', ${iso(`${run}."createdAt"`)}, 'startedAt', ${iso(`${run}."startedAt"`)}, 'finishedAt', ${iso(`${run}."finishedAt"`)},
    'throttledReason', ${run}."throttledReason", 'throttledUntil', ${iso(`${run}."throttledUntil"`)},
    'steps', COALESCE((SELECT json_agg(json_build_object(
        'nodeId', s."nodeId", 'nodeType', s."nodeType", 'iteration', s.iteration, 'status', s.status, 'output', s.output,
        'error', s.error, 'branch', s.branch, 'totalTokens', s."totalTokens",
        'startedAt', ${iso('s."startedAt"')}, 'finishedAt', ${iso('s."finishedAt"')}) ORDER BY ${stepOrderSql("s")})
      FROM ${steps}), '[]'::json),
    'waits', COALESCE((SELECT json_agg(json_build_object(
        'id', w.id, 'runId', w."runId", 'nodeId', w."nodeId", 'iteration', w.iteration, 'kind', w.kind, 'status', w.status,
        'request', w.request, 'response', w.response, 'childRunId', w."childRunId",
        'answeredAt', ${iso('w."answeredAt"')}, 'timeoutAt', ${iso('w."timeoutAt"')}, 'createdAt', ${iso('w."createdAt"')})
        ORDER BY w."createdAt", w."nodeId", w.iteration)
      FROM run_waits w WHERE w."runId" = ${run}.id), '[]'::json))`;
}
