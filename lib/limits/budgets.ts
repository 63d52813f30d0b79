import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { changeSummary } from "@/lib/audit/changes";
import { recordMemberAction } from "@/lib/audit/member-action";
import { db as defaultDb, poolOf, type Db } from "@/lib/db/client";
import { ServiceError, notFound } from "@/lib/services/errors";
import { cachedBudgets, forgetBudgets } from "./budget-cache";
import { BudgetSchema, WorkflowLimitsSchema, WorkspaceBudgetSchema, type WorkflowLimitsInput } from "./schema";

/**
 * Monthly cost budgets, per workspace and optionally per workflow. The month's spend is the sum of
 * Run.cost in the budget's currency over the runs created since the first of the calendar month
 * (UTC); other currencies do not count. Once a budget is spent, new runs (API, studio, resume,
 * re-run, workflow tools) are refused with `budget_exhausted` (402). Runs already in flight
 * (running, waiting, throttled, and the sub-workflow runs they start) finish: stopping them halfway
 * would waste what they already spent and leave work half done. An admin raises the budget.
 */

export interface BudgetStatus {
  scope: "workspace" | "workflow";
  workflowId: string | null;
  workflowName?: string;
  monthlyLimit: number;
  currency: string;
  warnPercent: number;
  /** Spent this calendar month (UTC), in `currency`. */
  spent: number;
  /** spent / monthlyLimit × 100 (100 when the limit is 0). */
  percent: number;
  state: "ok" | "warning" | "exhausted";
}

/** The first instant of `now`'s calendar month, UTC. */
export const monthStart = (now: Date = new Date()) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

type BudgetRow = { workflowId: string | null; monthlyLimit: number; currency: string; warnPercent: number; workflow?: { name: string } | null };

/** What the month's runs of the workspace (or one workflow) cost in `currency`. */
export async function monthSpend(db: Db, workspaceId: string, currency: string, workflowId: string | null = null, now: Date = new Date()): Promise<number> {
  const { rows } = await poolOf(db).query<{ spent: number }>(
    `SELECT COALESCE(SUM((cost->>$2)::float8), 0)::float8 AS spent FROM runs
     WHERE "workspaceId" = $1 AND ($3::text IS NULL OR "workflowId" = $3) AND cost ? $2
       AND "createdAt" >= $4::timestamptz AT TIME ZONE 'UTC'`,
    [workspaceId, currency, workflowId, monthStart(now).toISOString()],
  );
  return Math.round((rows[0]?.spent ?? 0) * 1e10) / 1e10;
}

async function statusOf(db: Db, workspaceId: string, row: BudgetRow): Promise<BudgetStatus> {
  const spent = await monthSpend(db, workspaceId, row.currency, row.workflowId);
  const percent = row.monthlyLimit > 0 ? (spent / row.monthlyLimit) * 100 : 100;
  const state = spent >= row.monthlyLimit ? "exhausted" : percent >= row.warnPercent ? "warning" : "ok";
  return {
    scope: row.workflowId ? "workflow" : "workspace",
    workflowId: row.workflowId,
    ...(row.workflow ? { workflowName: row.workflow.name } : {}),
    monthlyLimit: row.monthlyLimit,
    currency: row.currency,
    warnPercent: row.warnPercent,
    spent,
    percent: Math.round(percent * 10) / 10,
    state,
  };
}

const BUDGET_SELECT = { workflowId: true, monthlyLimit: true, currency: true, warnPercent: true, workflow: { select: { name: true } } } as const;

/**
 * Refuses a new run when the workspace's budget, or the workflow's own, is spent: ServiceError
 * `budget_exhausted` (HTTP 402) naming the budget, what was spent and where to raise it.
 */
export async function assertWithinBudget(workspaceId: string, workflowId: string | null, deps: { db?: Db } = {}): Promise<void> {
  const db = deps.db ?? defaultDb();
  const all = await cachedBudgets(workspaceId, () => db.budget.findMany({ where: { workspaceId }, select: BUDGET_SELECT }));
  const budgets = all.filter((row) => row.workflowId === null || row.workflowId === workflowId);
  for (const row of budgets) {
    const status = await statusOf(db, workspaceId, row);
    if (status.state !== "exhausted") continue;
    const whose = status.scope === "workspace" ? "This workspace's" : `The workflow "${status.workflowName}"'s`;
    throw new ServiceError(
      "budget_exhausted",
      `${whose} monthly budget of ${status.monthlyLimit} ${status.currency} is spent (${status.spent} ${status.currency} this month). New runs are refused until an admin raises it in Settings → Usage & limits, or the month ends.`,
      { budget: { scope: status.scope, workflowId: status.workflowId, monthlyLimit: status.monthlyLimit, spent: status.spent, currency: status.currency } },
    );
  }
}

export interface WorkflowLimitsView {
  workflowId: string;
  name: string;
  maxConcurrentRuns: number | null;
  budget: BudgetStatus | null;
}

export interface UsageOverview {
  monthStart: string;
  budget: BudgetStatus | null;
  /** This month's run costs by currency (all of them, budgeted or not). */
  spentByCurrency: Record<string, number>;
  workflows: WorkflowLimitsView[];
}

/** The Usage & limits page: the month's spend, the workspace budget and each workflow's limits. */
export async function usageOverview(member: Member, deps: { db?: Db } = {}): Promise<UsageOverview> {
  requirePermission(member, "budget.read");
  const db = deps.db ?? defaultDb();
  const [budgets, workflows, spent] = await Promise.all([
    db.budget.findMany({ where: { workspaceId: member.workspaceId }, select: BUDGET_SELECT }),
    db.workflow.findMany({ where: { workspaceId: member.workspaceId }, select: { id: true, name: true, maxConcurrentRuns: true }, orderBy: { name: "asc" } }),
    poolOf(db).query<{ currency: string; spent: number }>(
      `SELECT c.key AS currency, SUM(c.value::float8)::float8 AS spent FROM runs r, jsonb_each_text(r.cost) c
       WHERE r."workspaceId" = $1 AND jsonb_typeof(r.cost) = 'object' AND r."createdAt" >= $2::timestamptz AT TIME ZONE 'UTC'
       GROUP BY c.key ORDER BY c.key`,
      [member.workspaceId, monthStart().toISOString()],
    ),
  ]);
  const statuses = await Promise.all(budgets.map((row) => statusOf(db, member.workspaceId, row)));
  const byWorkflow = new Map(statuses.filter((s) => s.workflowId).map((s) => [s.workflowId!, s]));
  return {
    monthStart: monthStart().toISOString(),
    budget: statuses.find((s) => s.scope === "workspace") ?? null,
    spentByCurrency: Object.fromEntries(spent.rows.map((row) => [row.currency, Math.round(row.spent * 1e10) / 1e10])),
    workflows: workflows.map((w) => ({ workflowId: w.id, name: w.name, maxConcurrentRuns: w.maxConcurrentRuns, budget: byWorkflow.get(w.id) ?? null })),
  };
}

/** Budgets past their warning threshold (or spent), for the studio's banner; any member sees it. */
export async function budgetAlerts(workspaceId: string, deps: { db?: Db } = {}): Promise<BudgetStatus[]> {
  const db = deps.db ?? defaultDb();
  const budgets = await db.budget.findMany({ where: { workspaceId }, select: BUDGET_SELECT });
  const statuses = await Promise.all(budgets.map((row) => statusOf(db, workspaceId, row)));
  return statuses.filter((s) => s.state !== "ok");
}

type Budget = ReturnType<typeof BudgetSchema.parse>;
const BUDGET_FIELDS = ["monthlyLimit", "currency", "warnPercent"] as const;

/** Sets (or with null removes) the budget of the workspace or of one of its workflows; returns the one it replaced. */
async function writeBudget(db: Db, workspaceId: string, workflowId: string | null, budget: Budget | null): Promise<Budget | null> {
  return db.$transaction(async (tx) => {
    const before = await tx.budget.findFirst({ where: { workspaceId, workflowId }, select: { monthlyLimit: true, currency: true, warnPercent: true } });
    if (budget === null) await tx.budget.deleteMany({ where: { workspaceId, workflowId } });
    else if ((await tx.budget.updateMany({ where: { workspaceId, workflowId }, data: budget })).count === 0) await tx.budget.create({ data: { workspaceId, workflowId, ...budget } });
    return before;
  }).finally(() => forgetBudgets(workspaceId));
}

export async function setWorkspaceBudget(member: Member, input: unknown, deps: { db?: Db } = {}): Promise<BudgetStatus | null> {
  requirePermission(member, "budget.manage");
  const { budget } = WorkspaceBudgetSchema.parse(input);
  const db = deps.db ?? defaultDb();
  const before = await writeBudget(db, member.workspaceId, null, budget);
  const changes = changeSummary(before, budget, { shown: BUDGET_FIELDS });
  if (Object.keys(changes).length) await recordMemberAction(member, "budget.changed", { type: "workspace", id: member.workspaceId, label: member.workspaceName }, { changes });
  if (!budget) return null;
  return statusOf(db, member.workspaceId, { workflowId: null, ...budget });
}

/** A workflow's own budget and concurrency limit; fields left out stay as they are. */
export async function setWorkflowLimits(member: Member, workflowId: string, input: WorkflowLimitsInput, deps: { db?: Db } = {}): Promise<WorkflowLimitsView> {
  requirePermission(member, "budget.manage");
  const parsed = WorkflowLimitsSchema.parse(input);
  const db = deps.db ?? defaultDb();
  const workflow = await db.workflow.findFirst({ where: { id: workflowId, workspaceId: member.workspaceId }, select: { id: true, name: true, maxConcurrentRuns: true } });
  if (!workflow) throw notFound("Workflow");
  const before = parsed.budget !== undefined ? await writeBudget(db, member.workspaceId, workflow.id, parsed.budget) : undefined;
  const updated = parsed.maxConcurrentRuns !== undefined
    ? await db.workflow.update({ where: { id: workflow.id }, data: { maxConcurrentRuns: parsed.maxConcurrentRuns }, select: { maxConcurrentRuns: true } })
    : { maxConcurrentRuns: workflow.maxConcurrentRuns };
  const changes = {
    ...(before !== undefined ? changeSummary(before, parsed.budget ?? null, { shown: BUDGET_FIELDS }) : {}),
    ...changeSummary({ maxConcurrentRuns: workflow.maxConcurrentRuns }, updated, { shown: ["maxConcurrentRuns"] }),
  };
  if (Object.keys(changes).length) await recordMemberAction(member, "workflow.limits_changed", { type: "workflow", id: workflow.id, label: workflow.name }, { changes });
  const row = await db.budget.findFirst({ where: { workspaceId: member.workspaceId, workflowId: workflow.id }, select: BUDGET_SELECT });
  return { workflowId: workflow.id, name: workflow.name, maxConcurrentRuns: updated.maxConcurrentRuns, budget: row ? await statusOf(db, member.workspaceId, row) : null };
}
