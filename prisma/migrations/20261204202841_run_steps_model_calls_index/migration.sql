-- The Overview's per-model figures (lib/analytics/sql.ts MODEL_USAGE_SQL) read the model-calling
-- steps of a range's runs. Hand-written: Prisma's schema cannot express a partial index on a JSON
-- expression or expression statistics.

-- Only the steps that called a model (LLM, Agent, Classifier, Parameter extractor record
-- detail.model), by run: a range's runs probe it instead of scanning every step.
CREATE INDEX "run_steps_model_calls_idx" ON "run_steps" ("runId") WHERE jsonb_typeof(detail->'model') = 'string';

-- Without statistics on the expression the planner guesses a fraction of a percent of steps call a
-- model (often a third do), and hashes the whole steps table instead of probing the index above.
CREATE STATISTICS "run_steps_model_calls_stats" ON (jsonb_typeof(detail->'model')) FROM "run_steps";
