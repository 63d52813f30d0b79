import { poolOf, type Db } from "@/lib/db/client";
import { recordRunCostRow } from "./step-sql";

/**
 * Cost of a run's model calls. Model-calling nodes (LLM, Agent, Classifier, Parameter extractor)
 * record their cost as `detail.cost` ({ currency: amount }, lib/models/cost.ts); the step store
 * copies it into `run_steps.cost`, and the run's cost is the sum of its own steps per currency
 * (steps copied from an earlier run by resume or re-run were paid by that run). A finished run gets
 * it in the statement that finishes it (step-sql.ts finishRunRow); this is for the other places a
 * run stops (parked, cancelled). Idempotent, so every such place may call it.
 */
export async function recordRunCost(db: Db, runId: string): Promise<void> {
  await recordRunCostRow(poolOf(db), runId);
}
