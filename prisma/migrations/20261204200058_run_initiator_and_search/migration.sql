-- Who and what started each run (lib/runs/initiator.ts).
ALTER TABLE "runs" ADD COLUMN     "apiKeyId" TEXT,
ADD COLUMN     "apiKeyName" TEXT,
ADD COLUMN     "trigger" TEXT NOT NULL DEFAULT 'editor';

-- Earlier runs: what the row itself still tells. A run of a published version with no parent and no
-- source was started through the API (workflow tools, the only other such path, were rare).
UPDATE "runs" SET "trigger" = CASE
    WHEN "parentRunId" IS NOT NULL THEN 'subworkflow'
    WHEN "sourceKind" IN ('resume', 'rerun') THEN "sourceKind"
    WHEN "workflowVersionId" IS NOT NULL THEN 'api'
    ELSE 'editor' END;

-- Run search (lib/runs/run-search.ts): the string and number values of inputs, output and error,
-- never the JSON keys. jsonb_to_tsvector with an explicit regconfig is IMMUTABLE, as a STORED
-- generated column requires (jsonb::text casts would also index the keys). Prisma declares the
-- column as Unsupported("tsvector") and never writes it.
ALTER TABLE "runs" ADD COLUMN "searchText" tsvector GENERATED ALWAYS AS (
    coalesce(jsonb_to_tsvector('simple'::regconfig, "inputs", '["string", "numeric"]'::jsonb), ''::tsvector)
    || coalesce(jsonb_to_tsvector('simple'::regconfig, "output", '["string", "numeric"]'::jsonb), ''::tsvector)
    || coalesce(jsonb_to_tsvector('simple'::regconfig, "error", '["string", "numeric"]'::jsonb), ''::tsvector)
) STORED;

-- CreateIndex
CREATE INDEX "runs_searchText_idx" ON "runs" USING GIN ("searchText");

-- CreateIndex
CREATE INDEX "runs_workspaceId_apiKeyId_createdAt_idx" ON "runs"("workspaceId", "apiKeyId", "createdAt");
