import { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db, poolOf } from "@/lib/db/client";
import { lastDays } from "./range";
import { costsCte } from "./sql";

/**
 * The agent catalog: every workflow of the workspace with its owner, latest published version,
 * last run, runs and cost over the last 7 and 30 UTC days (the Overview's presets, today included),
 * its error rate over 30 days and whether it is idle (published, yet no run in 30 days). Runs
 * started as another workflow's sub-workflow count: a sub-workflow that is called is not idle.
 */

export const IDLE_DAYS = 30;

const CostSchema = z.record(z.string(), z.number());

const CatalogRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  ownerId: z.string().nullable(),
  ownerName: z.string().nullable(),
  ownerEmail: z.string().nullable(),
  publishedVersion: z.number().nullable(),
  publishedAt: z.date().nullable(),
  lastRunId: z.string().nullable(),
  lastRunStatus: z.string().nullable(),
  lastRunAt: z.date().nullable(),
  runs7: z.number(),
  runs30: z.number(),
  succeeded30: z.number(),
  failed30: z.number(),
  /** failed ÷ (succeeded + failed) over 30 days; null when no run ended. */
  errorRate: z.number().nullable(),
  cost7: CostSchema,
  cost30: CostSchema,
  idle: z.boolean(),
});
export type CatalogRow = z.infer<typeof CatalogRowSchema>;

// $1 workspace, $2 first of the last 7 days, $3 first of the last 30 days. The last run and the
// latest version are one index probe per workflow (runs (workflowId, createdAt), the versions' unique key).
const CATALOG_SQL = `WITH recent AS MATERIALIZED (
      SELECT "workflowId", "createdAt" >= $2::date AS in7, status, cost
      FROM runs WHERE "workspaceId" = $1 AND "createdAt" >= $3::date AND "workflowId" IS NOT NULL),
    counts AS (
      SELECT "workflowId", count(*) FILTER (WHERE in7)::int AS runs7, count(*)::int AS runs30,
        count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded30,
        count(*) FILTER (WHERE status = 'failed')::int AS failed30
      FROM recent GROUP BY "workflowId"),
    ${costsCte("recent", ["workflowId"], { cost7: "in7", cost30: "true" })}
  SELECT w.id, w.name, w."createdById" AS "ownerId", u.name AS "ownerName", u.email AS "ownerEmail",
    v.version AS "publishedVersion", v."createdAt" AT TIME ZONE 'UTC' AS "publishedAt",
    l.id AS "lastRunId", l.status::text AS "lastRunStatus", l."createdAt" AT TIME ZONE 'UTC' AS "lastRunAt",
    COALESCE(n.runs7, 0) AS runs7, COALESCE(n.runs30, 0) AS runs30,
    COALESCE(n.succeeded30, 0) AS succeeded30, COALESCE(n.failed30, 0) AS failed30,
    n.failed30::float8 / NULLIF(n.succeeded30 + n.failed30, 0) AS "errorRate",
    COALESCE(k.cost7, '{}'::jsonb) AS cost7, COALESCE(k.cost30, '{}'::jsonb) AS cost30,
    (v.version IS NOT NULL AND COALESCE(n.runs30, 0) = 0) AS idle
  FROM workflows w
  LEFT JOIN users u ON u.id = w."createdById"
  LEFT JOIN LATERAL (SELECT version, "createdAt" FROM workflow_versions WHERE "workflowId" = w.id ORDER BY version DESC LIMIT 1) v ON true
  LEFT JOIN LATERAL (SELECT id, status, "createdAt" FROM runs WHERE "workflowId" = w.id ORDER BY "createdAt" DESC LIMIT 1) l ON true
  LEFT JOIN counts n ON n."workflowId" = w.id
  LEFT JOIN costs k ON k."workflowId" = w.id
  WHERE w."workspaceId" = $1
  ORDER BY w.name, w.id`;

/** Every workflow of the member's workspace with its catalog figures, by name. */
export async function getAgentCatalog(member: Member, now: Date = new Date()): Promise<CatalogRow[]> {
  requirePermission(member, "analytics.read");
  const { rows } = await poolOf(db()).query(CATALOG_SQL, [member.workspaceId, lastDays(7, now).from, lastDays(IDLE_DAYS, now).from]);
  return rows.map((row) => CatalogRowSchema.parse(row));
}
