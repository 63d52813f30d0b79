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
-- generated column requires (a plain jsonb::text cast would also index the keys). A tsvector holds
-- at most 1 MB, and a run whose output overflowed it could not be written at all, so a document
-- over 32 KB of JSON is indexed by its first 32 K characters of JSON text instead (keys included
-- there, and up to three such parts stay far below the limit). Prisma declares the column as
-- Unsupported("tsvector") and never writes it.
ALTER TABLE "runs" ADD COLUMN "searchText" tsvector GENERATED ALWAYS AS (
    coalesce(CASE WHEN octet_length("inputs"::text) <= 32768
        THEN jsonb_to_tsvector('simple'::regconfig, "inputs", '["string", "numeric"]'::jsonb)
        ELSE to_tsvector('simple'::regconfig, left("inputs"::text, 32768)) END, ''::tsvector)
    || coalesce(CASE WHEN octet_length("output"::text) <= 32768
        THEN jsonb_to_tsvector('simple'::regconfig, "output", '["string", "numeric"]'::jsonb)
        ELSE to_tsvector('simple'::regconfig, left("output"::text, 32768)) END, ''::tsvector)
    || coalesce(CASE WHEN octet_length("error"::text) <= 32768
        THEN jsonb_to_tsvector('simple'::regconfig, "error", '["string", "numeric"]'::jsonb)
        ELSE to_tsvector('simple'::regconfig, left("error"::text, 32768)) END, ''::tsvector)
) STORED;

-- CreateIndex
CREATE INDEX "runs_searchText_idx" ON "runs" USING GIN ("searchText");

-- CreateIndex
CREATE INDEX "runs_workspaceId_apiKeyId_createdAt_idx" ON "runs"("workspaceId", "apiKeyId", "createdAt");
