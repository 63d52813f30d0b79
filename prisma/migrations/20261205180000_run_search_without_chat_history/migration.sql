-- The run of a chat turn carries the history of its conversation in its inputs (lib/chat/turns.ts:
-- up to 100 earlier messages, each already searchable in the run of its own turn as its message).
-- Indexing them again in every turn made each write of a chat run cost more the longer the
-- conversation went on: a STORED generated column is computed again on every UPDATE (the lease,
-- the finish), and at 25 messages jsonb_to_tsvector took about 240 microseconds per write against
-- 10 without them (bench/chat-ttft.ts, session 11), plus the GIN entries of every row version.
-- The search text of a chat run now leaves the history input out, and every other run is indexed as
-- before (an input of a workflow that happens to be named history included).
DROP INDEX "runs_searchText_idx";
ALTER TABLE "runs" DROP COLUMN "searchText";
ALTER TABLE "runs" ADD COLUMN "searchText" tsvector GENERATED ALWAYS AS (
    coalesce(CASE WHEN octet_length((CASE WHEN "trigger" = 'chat' THEN "inputs" - 'history' ELSE "inputs" END)::text) <= 32768
        THEN jsonb_to_tsvector('simple'::regconfig, CASE WHEN "trigger" = 'chat' THEN "inputs" - 'history' ELSE "inputs" END, '["string", "numeric"]'::jsonb)
        ELSE to_tsvector('simple'::regconfig, left((CASE WHEN "trigger" = 'chat' THEN "inputs" - 'history' ELSE "inputs" END)::text, 32768)) END, ''::tsvector)
    || coalesce(CASE WHEN octet_length("output"::text) <= 32768
        THEN jsonb_to_tsvector('simple'::regconfig, "output", '["string", "numeric"]'::jsonb)
        ELSE to_tsvector('simple'::regconfig, left("output"::text, 32768)) END, ''::tsvector)
    || coalesce(CASE WHEN octet_length("error"::text) <= 32768
        THEN jsonb_to_tsvector('simple'::regconfig, "error", '["string", "numeric"]'::jsonb)
        ELSE to_tsvector('simple'::regconfig, left("error"::text, 32768)) END, ''::tsvector)
) STORED;

CREATE INDEX "runs_searchText_idx" ON "runs" USING GIN ("searchText");
