/**
 * SQL building blocks of the Overview's figures. Everything is aggregated in PostgreSQL over the
 * runs of one workspace; the statements take bound parameters only. The strings put together here
 * are fixed expressions from this module's callers, never user input.
 *
 * Timestamps are `timestamp(3)` holding UTC (lib/runs/step-sql.ts), so a run's UTC day is simply
 * the date part of its `createdAt`. $1 is always the workspace, $2 and $3 the first and last day.
 */

/** Runs of workspace $1 created on the UTC days $2..$3 (inclusive); uses runs (workspaceId, createdAt). */
const RUNS_IN_RANGE = `runs."workspaceId" = $1 AND runs."createdAt" >= $2::date AND runs."createdAt" < $3::date + 1`;

/** Milliseconds from start to finish of a run that ran to an end (succeeded or failed); null otherwise. */
const RUN_DURATION_MS = `CASE WHEN runs.status IN ('succeeded', 'failed') AND runs."startedAt" IS NOT NULL AND runs."finishedAt" IS NOT NULL
    THEN (EXTRACT(EPOCH FROM (runs."finishedAt" - runs."startedAt")) * 1000)::float8 END`;

/** Keys of a grouping: output column name → SQL expression over the source's rows. */
export type GroupKeys = Record<string, string>;

const quoted = (names: string[]) => names.map((name) => `"${name}"`);
const groupBy = (names: string[]) => (names.length > 0 ? `GROUP BY ${quoted(names).join(", ")}` : "");
/** Joins two groupings by the same key columns; null keys (a deleted workflow, a run without a user) match too. */
const sameKeys = (names: string[], a: string, b: string) =>
  names.length > 0 ? quoted(names).map((k) => `${a}.${k} IS NOT DISTINCT FROM ${b}.${k}`).join(" AND ") : "true";

/**
 * Cost by currency per group of `source` (a CTE with a jsonb `cost` column { currency: amount }):
 * the CTEs `cost_parts` and `costs`, the latter with the source's key columns `keyNames` and one
 * jsonb column per entry of `columns` (name → which of the source's rows it sums). Currencies are
 * summed separately, never added together; amounts that are not numbers are skipped. A group with
 * nothing to sum in a column gets null there.
 */
export function costsCte(source: string, keyNames: string[], columns: Record<string, string> = { cost: "true" }): string {
  const names = quoted(keyNames).map((k) => `${k}, `).join("");
  const sums = Object.entries(columns).map(([name, rows]) => `round(sum(c.value::numeric) FILTER (WHERE ${rows}), 10) AS "${name}"`);
  const objects = Object.keys(columns).map((name) => `jsonb_object_agg(currency, "${name}") FILTER (WHERE "${name}" IS NOT NULL) AS "${name}"`);
  return `cost_parts AS (
      SELECT ${names}c.key AS currency, ${sums.join(", ")}
      FROM ${source} CROSS JOIN LATERAL jsonb_each(CASE WHEN jsonb_typeof(${source}.cost) = 'object' THEN ${source}.cost END) c
      WHERE jsonb_typeof(c.value) = 'number'
      GROUP BY ${names}c.key),
    costs AS (SELECT ${names}${objects.join(", ")} FROM cost_parts ${groupBy(keyNames)})`;
}

/**
 * One row per group of the range's runs: run counts by status, p50/p95 duration (percentile_cont,
 * over runs that ran to an end), token sums and cost by currency. With no keys, one row of totals.
 * Sub-workflow runs count as runs of their own workflow; their cost is not in their parent's.
 */
export function groupedRunsSql(keys: GroupKeys): string {
  const names = Object.keys(keys);
  const keyColumns = Object.entries(keys).map(([name, expr]) => `${expr} AS "${name}", `).join("");
  return `WITH r AS MATERIALIZED (
      SELECT ${keyColumns}runs.status, runs."promptTokens", runs."completionTokens", runs."totalTokens", runs.cost, ${RUN_DURATION_MS} AS duration_ms
      FROM runs WHERE ${RUNS_IN_RANGE}),
    counts AS (
      SELECT ${quoted(names).map((k) => `${k}, `).join("")}count(*)::int AS runs,
        count(*) FILTER (WHERE status = 'queued')::int AS queued,
        count(*) FILTER (WHERE status = 'running')::int AS running,
        count(*) FILTER (WHERE status = 'waiting')::int AS waiting,
        count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
        count(*) FILTER (WHERE status = 'failed')::int AS failed,
        count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled,
        percentile_cont(0.5) WITHIN GROUP (ORDER BY duration_ms) AS "p50Ms",
        percentile_cont(0.95) WITHIN GROUP (ORDER BY duration_ms) AS "p95Ms",
        COALESCE(sum("promptTokens"), 0)::float8 AS "promptTokens",
        COALESCE(sum("completionTokens"), 0)::float8 AS "completionTokens",
        COALESCE(sum("totalTokens"), 0)::float8 AS "totalTokens"
      FROM r ${groupBy(names)}),
    ${costsCte("r", names)}
    SELECT counts.*, COALESCE(costs.cost, '{}'::jsonb) AS cost FROM counts LEFT JOIN costs ON ${sameKeys(names, "counts", "costs")}`;
}

/**
 * One row per model (and the provider that answered) of the model-calling steps (LLM, Agent,
 * Classifier, Parameter extractor record `detail.model`) of the range's runs: steps, tokens, cost
 * by currency. Steps copied from an earlier run (resume, re-run) are left out: that run paid them.
 */
export const MODEL_USAGE_SQL = `WITH s AS MATERIALIZED (
      SELECT st.detail->>'model' AS model, st.detail->>'providerId' AS "providerId",
        st."promptTokens", st."completionTokens", st."totalTokens", st.cost
      FROM runs JOIN run_steps st ON st."runId" = runs.id
      WHERE ${RUNS_IN_RANGE} AND st."reusedFromStepId" IS NULL AND jsonb_typeof(st.detail->'model') = 'string' AND st.detail->>'model' <> ''),
    counts AS (
      SELECT model, "providerId", count(*)::int AS steps,
        COALESCE(sum("promptTokens"), 0)::float8 AS "promptTokens",
        COALESCE(sum("completionTokens"), 0)::float8 AS "completionTokens",
        COALESCE(sum("totalTokens"), 0)::float8 AS "totalTokens"
      FROM s GROUP BY model, "providerId"),
    ${costsCte("s", ["model", "providerId"])}
    SELECT counts.*, p.name AS "providerName", COALESCE(costs.cost, '{}'::jsonb) AS cost
    FROM counts
    LEFT JOIN costs ON ${sameKeys(["model", "providerId"], "counts", "costs")}
    LEFT JOIN model_providers p ON p.id = counts."providerId" AND p."workspaceId" = $1
    ORDER BY counts."totalTokens" DESC, counts.model`;
