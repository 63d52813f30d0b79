import type { Db } from "@/lib/db/client";

/**
 * Cost of a run's model calls. Model-calling nodes (LLM, Agent, Classifier, Parameter extractor)
 * record their cost as `detail.cost` ({ currency: amount }, lib/models/cost.ts); this copies it to
 * `run_steps.cost` where the store did not set the column itself, and sums the run's steps currency
 * by currency into `runs.cost`. Steps copied from an earlier run (resume, re-run) are left out of
 * the sum: their cost was paid by that run. Idempotent, so every place a run stops may call it.
 */
export async function recordRunCost(db: Db, runId: string): Promise<void> {
  await db.$executeRaw`
    UPDATE run_steps SET cost = detail->'cost'
    WHERE "runId" = ${runId} AND cost IS NULL AND jsonb_typeof(detail->'cost') = 'object'`;
  await db.$executeRaw`
    UPDATE runs SET cost = (
      SELECT jsonb_object_agg(currency, amount) FROM (
        SELECT c.key AS currency, round(sum((c.value)::numeric), 10) AS amount
        FROM run_steps s, jsonb_each_text(s.cost) c
        WHERE s."runId" = ${runId} AND s."reusedFromStepId" IS NULL AND jsonb_typeof(s.cost) = 'object'
          AND c.value ~ '^-?[0-9.eE+-]+$'
        GROUP BY c.key
      ) sums
    )
    WHERE id = ${runId}`;
}
