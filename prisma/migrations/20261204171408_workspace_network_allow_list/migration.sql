-- AlterTable
ALTER TABLE "workspaces" ADD COLUMN     "networkAllowList" TEXT[] DEFAULT ARRAY[]::TEXT[];


-- The allow-list used to live in a reserved "settings" row of tool_sources (tools only), it is now
-- the workspace's, for every outbound path. Entries the new rules refuse (catch-alls, metadata
-- endpoints) are carried over but open nothing (lib/net/allow-list.ts compiles only valid ones).
UPDATE "workspaces" AS w
SET "networkAllowList" = ARRAY(SELECT jsonb_array_elements_text(s."config"->'allowList'))
FROM "tool_sources" AS s
WHERE s."workspaceId" = w."id"
  AND s."kind" = 'settings'
  AND s."name" = '__tool_registry_settings__'
  AND jsonb_typeof(s."config"->'allowList') = 'array';

DELETE FROM "tool_sources" WHERE "kind" = 'settings' AND "name" = '__tool_registry_settings__';
