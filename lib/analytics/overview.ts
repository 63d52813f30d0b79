import { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db, poolOf } from "@/lib/db/client";
import { ServiceError } from "@/lib/services/errors";
import { MODEL_USAGE_SQL, groupedRunsSql } from "./sql";
import { ANALYTICS_TIME_ZONE, parseRange, type DateRange, type RangeParams } from "./range";

/**
 * The Overview's figures for one workspace and date range, aggregated in PostgreSQL (./sql.ts) on
 * Prisma's pg pool, like the other read-heavy queries (lib/api/runs.ts). Plain data: the page passes
 * it as is to the chart components.
 */

const CostSchema = z.record(z.string(), z.number());
/** Aggregates of a day with no runs come back null: they are zeros. */
const count = z.number().nullable().transform((value) => value ?? 0);

const RunFiguresSchema = z.object({
  runs: count,
  queued: count,
  running: count,
  waiting: count,
  succeeded: count,
  failed: count,
  cancelled: count,
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  promptTokens: count,
  completionTokens: count,
  totalTokens: count,
  cost: CostSchema.nullable().transform((value) => value ?? {}),
});
type RawRunFigures = z.infer<typeof RunFiguresSchema>;

export type RunFigures = RawRunFigures & {
  /** succeeded ÷ (succeeded + failed); null when no run ended. Cancelled and unfinished runs are left out. */
  successRate: number | null;
};

const withRate = <T extends RawRunFigures>(row: T): T & { successRate: number | null } => ({
  ...row,
  successRate: row.succeeded + row.failed > 0 ? row.succeeded / (row.succeeded + row.failed) : null,
});

const DayRowSchema = RunFiguresSchema.extend({ day: z.string() });
const WorkflowRowSchema = RunFiguresSchema.extend({ workflowId: z.string().nullable(), name: z.string() });
const MemberRowSchema = RunFiguresSchema.extend({ userId: z.string().nullable(), name: z.string().nullable(), email: z.string().nullable() });
const ModelRowSchema = z.object({
  model: z.string(),
  providerId: z.string().nullable(),
  providerName: z.string().nullable(),
  steps: z.number(),
  promptTokens: z.number(),
  completionTokens: z.number(),
  totalTokens: z.number(),
  cost: CostSchema,
});

export type DayFigures = RunFigures & { day: string };
export type WorkflowFigures = RunFigures & { workflowId: string | null; name: string };
/** `userId` null: runs no user started (API keys, and later triggers), shown as "API / other". */
export type MemberFigures = RunFigures & { userId: string | null; name: string | null; email: string | null };
export type ModelFigures = z.infer<typeof ModelRowSchema>;

export interface Overview {
  range: DateRange;
  timeZone: typeof ANALYTICS_TIME_ZONE;
  totals: RunFigures;
  /** Every day of the range in order, days without runs as zeros. */
  days: DayFigures[];
  byWorkflow: WorkflowFigures[];
  byModel: ModelFigures[];
  byMember: MemberFigures[];
  /** Every currency that appears in the range, sorted. */
  currencies: string[];
}

const DAYS_SQL = `SELECT to_char(d, 'YYYY-MM-DD') AS day, g.*
  FROM generate_series($2::date, $3::date, interval '1 day') d
  LEFT JOIN (${groupedRunsSql({ dayKey: `to_char(runs."createdAt", 'YYYY-MM-DD')` })}) g ON g."dayKey" = to_char(d, 'YYYY-MM-DD')
  ORDER BY d`;

// A deleted workflow's runs keep their name (workflowId is null): grouped by that name.
const WORKFLOWS_SQL = `SELECT g.*, COALESCE(w.name, g."deletedName") AS name
  FROM (${groupedRunsSql({ workflowId: `runs."workflowId"`, deletedName: `CASE WHEN runs."workflowId" IS NULL THEN runs."workflowName" END` })}) g
  LEFT JOIN workflows w ON w.id = g."workflowId" AND w."workspaceId" = $1
  ORDER BY g.runs DESC, name`;

// Runs without a user (createdById null) form one group: API keys now, triggers later.
const MEMBERS_SQL = `SELECT g.*, u.name, u.email
  FROM (${groupedRunsSql({ userId: `runs."createdById"` })}) g
  LEFT JOIN users u ON u.id = g."userId"
  ORDER BY g."userId" IS NULL, g.runs DESC, u.name`;

const TOTALS_SQL = groupedRunsSql({});

function currenciesOf(rows: { cost: Record<string, number> }[]): string[] {
  return [...new Set(rows.flatMap((row) => Object.keys(row.cost)))].sort();
}

/** The range the parameters name; a 400 `invalid_request` naming the bad parameter otherwise. */
function rangeOf(params: RangeParams): DateRange {
  const parsed = parseRange(params);
  if ("range" in parsed) return parsed.range;
  throw new ServiceError("invalid_request", parsed.issues.map((issue) => `${issue.path}: ${issue.message}`).join(" "), { issues: parsed.issues });
}

/** The Overview of the member's workspace over the range the query names (default: the last 30 days). */
export async function getOverview(member: Member, params: RangeParams = {}): Promise<Overview> {
  requirePermission(member, "analytics.read");
  const range = rangeOf(params);
  const pool = poolOf(db());
  const values = [member.workspaceId, range.from, range.to];
  const [totals, days, workflows, members, models] = await Promise.all([
    pool.query(TOTALS_SQL, values),
    pool.query(DAYS_SQL, values),
    pool.query(WORKFLOWS_SQL, values),
    pool.query(MEMBERS_SQL, values),
    pool.query(MODEL_USAGE_SQL, values),
  ]);
  const byModel = models.rows.map((row) => ModelRowSchema.parse(row));
  const totalsRow = withRate(RunFiguresSchema.parse(totals.rows[0]));
  return {
    range,
    timeZone: ANALYTICS_TIME_ZONE,
    totals: totalsRow,
    days: days.rows.map((row) => withRate(DayRowSchema.parse(row))),
    byWorkflow: workflows.rows.map((row) => withRate(WorkflowRowSchema.parse(row))),
    byMember: members.rows.map((row) => withRate(MemberRowSchema.parse(row))),
    byModel,
    currencies: currenciesOf([totalsRow, ...byModel]),
  };
}
