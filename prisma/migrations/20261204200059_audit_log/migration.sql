-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "auditRetentionDays" INTEGER NOT NULL DEFAULT 365;

-- AlterTable
ALTER TABLE "audit_events" ADD COLUMN     "actorApiKeyId" TEXT,
ADD COLUMN     "actorLabel" TEXT,
ADD COLUMN     "changes" JSONB,
ADD COLUMN     "targetLabel" TEXT;


-- Retention is bounded in the database too: the purge below trusts this column.
ALTER TABLE "workspaces" ADD CONSTRAINT "workspaces_audit_retention_days_range" CHECK ("auditRetentionDays" BETWEEN 30 AND 3650);

-- The audit log is append-only (docs/security.md, "Audit log"). UPDATE and TRUNCATE are always
-- refused. DELETE is refused unless purge_audit_events() is running (its SET clause turns on
-- weft.audit_purge for the duration of the call) AND the row is past its workspace's retention,
-- checked here again: a session that sets the flag by hand can only remove what the purge would.
--
-- Why the body is an E'' string with \x3B for each semicolon: Prisma's pg adapter runs migration
-- scripts by splitting them at every semicolon, dollar quotes included. No comment or statement
-- of this file may contain a literal semicolon.
CREATE FUNCTION "audit_events_guard"() RETURNS trigger LANGUAGE plpgsql AS E'
DECLARE
  retention integer\x3B
BEGIN
  IF TG_OP = ''DELETE'' AND current_setting(''weft.audit_purge'', true) = ''on'' THEN
    SELECT w."auditRetentionDays" INTO retention FROM "workspaces" w WHERE w."id" = OLD."workspaceId"\x3B
    IF OLD."createdAt" < now() - make_interval(days => COALESCE(retention, 365)) THEN
      RETURN OLD\x3B
    END IF\x3B
  END IF\x3B
  RAISE EXCEPTION ''audit_events is append-only: % refused'', TG_OP
    USING ERRCODE = ''insufficient_privilege'', HINT = ''Entries past their retention are removed by purge_audit_events() only.''\x3B
END
';

CREATE TRIGGER "audit_events_no_update_delete" BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION "audit_events_guard"();
CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "audit_events_guard"();

-- The retention purge (run hourly by the worker): removes entries older than their workspace's
-- auditRetentionDays (365 days for instance-level entries and deleted workspaces), returns how many.
-- SECURITY DEFINER with a pinned search_path, so a deployment can grant the application role
-- EXECUTE on this function and no DELETE on the table at all.
CREATE FUNCTION "purge_audit_events"() RETURNS bigint LANGUAGE sql SECURITY DEFINER
  SET search_path FROM CURRENT SET weft.audit_purge = 'on' AS $$
  WITH removed AS (
    DELETE FROM "audit_events" e
     WHERE e."createdAt" < now() - make_interval(days => COALESCE(
             (SELECT w."auditRetentionDays" FROM "workspaces" w WHERE w."id" = e."workspaceId"), 365))
    RETURNING 1
  )
  SELECT count(*) FROM removed
$$;
