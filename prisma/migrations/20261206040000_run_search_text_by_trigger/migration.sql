-- A run's search text was a STORED generated column. PostgreSQL rebuilds a generated column's
-- expression at the start of every INSERT and UPDATE of the table and computes it again for every
-- row updated, so the lease, each status change and every other write that touches none of the
-- text's columns paid for it: about 7 % of PostgreSQL's CPU on the synchronous run path
-- (perf, session 15), and a GIN entry for every non-HOT row version. It is now an ordinary column
-- set by a trigger that fires only for statements that write one of the columns it reads. The text
-- is the same as before (chat runs leave their history input out), and DROP EXPRESSION keeps every
-- row's value and the GIN index.
--
-- No comment or statement of this file may contain a literal semicolon: Prisma's pg adapter splits
-- migration scripts at every one, dollar quotes included, so the trigger's body is an E'' string
-- with \x3B for each (as in the audit_log migration).
CREATE FUNCTION "run_search_text"("trigger" text, "inputs" jsonb, "output" jsonb, "error" jsonb) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(CASE WHEN octet_length((CASE WHEN "trigger" = 'chat' THEN "inputs" - 'history' ELSE "inputs" END)::text) <= 32768
        THEN jsonb_to_tsvector('simple'::regconfig, CASE WHEN "trigger" = 'chat' THEN "inputs" - 'history' ELSE "inputs" END, '["string", "numeric"]'::jsonb)
        ELSE to_tsvector('simple'::regconfig, left((CASE WHEN "trigger" = 'chat' THEN "inputs" - 'history' ELSE "inputs" END)::text, 32768)) END, ''::tsvector)
    || coalesce(CASE WHEN octet_length("output"::text) <= 32768
        THEN jsonb_to_tsvector('simple'::regconfig, "output", '["string", "numeric"]'::jsonb)
        ELSE to_tsvector('simple'::regconfig, left("output"::text, 32768)) END, ''::tsvector)
    || coalesce(CASE WHEN octet_length("error"::text) <= 32768
        THEN jsonb_to_tsvector('simple'::regconfig, "error", '["string", "numeric"]'::jsonb)
        ELSE to_tsvector('simple'::regconfig, left("error"::text, 32768)) END, ''::tsvector)
$$;

CREATE FUNCTION "runs_set_search_text"() RETURNS trigger
LANGUAGE plpgsql AS E'
BEGIN
  NEW."searchText" := "run_search_text"(NEW."trigger", NEW."inputs", NEW."output", NEW."error")\x3B
  RETURN NEW\x3B
END
';

ALTER TABLE "runs" ALTER COLUMN "searchText" DROP EXPRESSION;

CREATE TRIGGER "runs_search_text" BEFORE INSERT OR UPDATE OF "trigger", "inputs", "output", "error", "searchText" ON "runs"
FOR EACH ROW EXECUTE FUNCTION "runs_set_search_text"();
