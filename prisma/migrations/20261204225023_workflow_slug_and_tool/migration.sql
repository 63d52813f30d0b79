-- A slug per workflow (the OpenAI endpoint's model name and the MCP tool name) and the "expose as tool" flag.
ALTER TABLE "workflows" ADD COLUMN     "exposeAsTool" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "slug" TEXT NOT NULL DEFAULT ('wf-'::text || substr(md5((random())::text), 1, 12));

-- Backfill existing rows from their names, the same rule as lib/workflows/slug.ts: lower case, runs of
-- anything but a-z and 0-9 become one dash, trimmed, at most 56 characters, "workflow" when nothing is
-- left. The second and later workflow with the same slug in a workspace (oldest first) gets "-" and the
-- first 6 characters of its id.
UPDATE "workflows" w SET "slug" = named."slug"
  FROM (
    SELECT "id", CASE WHEN n = 1 THEN base ELSE base || '-' || left("id", 6) END AS "slug"
      FROM (
        SELECT "id", base, row_number() OVER (PARTITION BY "workspaceId", base ORDER BY "createdAt", "id") AS n
          FROM (
            SELECT "id", "workspaceId", "createdAt",
                   COALESCE(NULLIF(trim(both '-' from left(trim(both '-' from regexp_replace(lower("name"), '[^a-z0-9]+', '-', 'g')), 56)), ''), 'workflow') AS base
              FROM "workflows"
          ) bases
      ) numbered
  ) named
 WHERE w."id" = named."id";

-- CreateIndex
CREATE UNIQUE INDEX "workflows_workspaceId_slug_key" ON "workflows"("workspaceId", "slug");
