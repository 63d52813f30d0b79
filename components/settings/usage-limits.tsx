"use client";

import { useState } from "react";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { BudgetStatus, UsageOverview, WorkflowLimitsView } from "@/lib/limits/budgets";
import { formatCost } from "@/lib/models/cost";
import { ApiError, request } from "./api";

const describe = (failure: unknown) =>
  failure instanceof ApiError && failure.issues.length ? failure.issues.map((i) => i.message).join(" ") : failure instanceof Error ? failure.message : "Could not save.";

/** "" → null (no budget / no limit); otherwise the number as typed (the server's zod schema explains a bad one). */
const numberOrNull = (text: string) => (text.trim() === "" ? null : Number(text));

/** Spend against a budget: a bar and the figures, amber past the warning threshold, red once spent. */
export function BudgetMeter({ status, testId }: { status: BudgetStatus; testId: string }) {
  const colour = status.state === "exhausted" ? "bg-red-600" : status.state === "warning" ? "bg-amber-500" : "bg-emerald-600";
  return (
    <div className="space-y-1" data-testid={testId} data-state={status.state}>
      <div className="h-2 overflow-hidden rounded bg-muted" role="meter" aria-label="Spent of the monthly budget" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.min(100, status.percent)}>
        <div className={`h-full ${colour}`} style={{ width: `${Math.min(100, status.percent)}%` }} />
      </div>
      <p className="text-xs text-muted-foreground">
        {formatCost({ [status.currency]: status.spent }) || `0 ${status.currency}`} of {formatCost({ [status.currency]: status.monthlyLimit }) || `0 ${status.currency}`} ({status.percent}%)
        {status.state === "exhausted" ? " — spent: new runs are refused" : status.state === "warning" ? ` — past the ${status.warnPercent}% warning` : ""}
      </p>
    </div>
  );
}

/** The workspace's monthly budget: amount, currency, warning threshold; admins save or remove it. */
function WorkspaceBudgetForm({ initial, canEdit }: { initial: BudgetStatus | null; canEdit: boolean }) {
  const [status, setStatus] = useState(initial);
  const [limit, setLimit] = useState(initial?.monthlyLimit.toString() ?? "");
  const [currency, setCurrency] = useState(initial?.currency ?? "USD");
  const [warn, setWarn] = useState(initial?.warnPercent.toString() ?? "80");
  const [message, setMessage] = useState<string | null>(null);

  const save = async (remove: boolean) => {
    setMessage(null);
    const amount = numberOrNull(limit);
    const budget = remove || amount === null ? null : { monthlyLimit: amount, currency, warnPercent: Number(warn) };
    try {
      const saved = await request<{ budget: BudgetStatus | null }>("/api/budget", { method: "PUT", body: JSON.stringify({ budget }) });
      setStatus(saved.budget);
      if (!saved.budget) setLimit("");
      setMessage(saved.budget ? "Budget saved." : "Budget removed.");
    } catch (failure) {
      setMessage(describe(failure));
    }
  };

  return (
    <section className="space-y-3 rounded-lg border p-4" aria-labelledby="workspace-budget-title">
      <h2 id="workspace-budget-title" className="text-sm font-semibold">
        Workspace budget
      </h2>
      <p className="text-xs text-muted-foreground">
        Run costs of the calendar month (UTC) in the budget&apos;s currency. Past the warning threshold a banner appears in the studio; once the budget is spent, new
        runs are refused until it is raised. Runs already in flight finish.
      </p>
      {status ? <BudgetMeter status={status} testId="workspace-budget-meter" /> : <p className="text-xs text-muted-foreground">No budget: runs are not limited by cost.</p>}
      <div className="grid gap-3 sm:grid-cols-3">
        <div className="space-y-1">
          <Label htmlFor="budget-limit">Monthly budget</Label>
          <Input id="budget-limit" type="number" min={0} step="any" placeholder="No budget" value={limit} disabled={!canEdit} onChange={(e) => setLimit(e.target.value)} />
        </div>
        <div className="space-y-1">
          <Label htmlFor="budget-currency">Currency</Label>
          <Input id="budget-currency" maxLength={3} className="uppercase" value={currency} disabled={!canEdit} onChange={(e) => setCurrency(e.target.value)} />
        </div>
        <div className="space-y-1">
          <Label htmlFor="budget-warn">Warn at (%)</Label>
          <Input id="budget-warn" type="number" min={1} max={100} step={1} value={warn} disabled={!canEdit} onChange={(e) => setWarn(e.target.value)} />
        </div>
      </div>
      {canEdit ? (
        <div className="flex items-center gap-2">
          <Button size="sm" onClick={() => void save(false)} data-testid="save-workspace-budget">
            Save budget
          </Button>
          {status ? (
            <Button size="sm" variant="outline" onClick={() => void save(true)} data-testid="remove-workspace-budget">
              Remove budget
            </Button>
          ) : null}
          {message ? (
            <span role="status" className="text-xs text-muted-foreground" data-testid="workspace-budget-status">
              {message}
            </span>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}

/** One workflow's own budget (in the workspace budget's currency) and concurrency limit. */
function WorkflowLimitsRow({ initial, currency, canEdit }: { initial: WorkflowLimitsView; currency: string; canEdit: boolean }) {
  const [view, setView] = useState(initial);
  const [budget, setBudget] = useState(initial.budget?.monthlyLimit.toString() ?? "");
  const [concurrency, setConcurrency] = useState(initial.maxConcurrentRuns?.toString() ?? "");
  const [message, setMessage] = useState<string | null>(null);
  const id = view.workflowId;

  const save = async () => {
    setMessage(null);
    const amount = numberOrNull(budget);
    const body = {
      budget: amount === null ? null : { monthlyLimit: amount, currency: view.budget?.currency ?? currency, warnPercent: view.budget?.warnPercent ?? 80 },
      maxConcurrentRuns: numberOrNull(concurrency),
    };
    try {
      setView(await request<WorkflowLimitsView>(`/api/budget/workflows/${encodeURIComponent(id)}`, { method: "PUT", body: JSON.stringify(body) }));
      setMessage("Saved.");
    } catch (failure) {
      setMessage(describe(failure));
    }
  };

  return (
    <TableRow data-testid={`workflow-limits-${id}`}>
      <TableCell className="font-medium">{view.name}</TableCell>
      <TableCell className="min-w-48">{view.budget ? <BudgetMeter status={view.budget} testId={`workflow-budget-meter-${id}`} /> : <span className="text-xs text-muted-foreground">—</span>}</TableCell>
      <TableCell>
        <Input aria-label={`Monthly budget of ${view.name}`} type="number" min={0} step="any" placeholder="No budget" className="w-32" value={budget} disabled={!canEdit} onChange={(e) => setBudget(e.target.value)} />
      </TableCell>
      <TableCell>
        <Input aria-label={`Concurrent runs of ${view.name}`} type="number" min={1} step={1} placeholder="No limit" className="w-28" value={concurrency} disabled={!canEdit} onChange={(e) => setConcurrency(e.target.value)} />
      </TableCell>
      <TableCell>
        {canEdit ? (
          <div className="flex items-center gap-2">
            <Button size="sm" variant="outline" onClick={() => void save()} data-testid={`save-workflow-limits-${id}`}>
              Save
            </Button>
            {message ? (
              <span role="status" className="text-xs text-muted-foreground">
                {message}
              </span>
            ) : null}
          </div>
        ) : null}
      </TableCell>
    </TableRow>
  );
}

/** Settings → Usage & limits. */
export function UsageLimits({ overview, canEdit }: { overview: UsageOverview; canEdit: boolean }) {
  const spent = formatCost(overview.spentByCurrency);
  const currency = overview.budget?.currency ?? "USD";
  return (
    <div className="space-y-6">
      <p className="text-sm" data-testid="month-spend">
        Spent since {overview.monthStart.slice(0, 10)} (UTC): <span className="font-medium">{spent || "nothing yet"}</span>
      </p>
      <WorkspaceBudgetForm initial={overview.budget} canEdit={canEdit} />
      <section className="space-y-2 rounded-lg border p-4" aria-labelledby="workflow-limits-title">
        <h2 id="workflow-limits-title" className="text-sm font-semibold">
          Workflows
        </h2>
        <p className="text-xs text-muted-foreground">
          A workflow&apos;s own monthly budget (in {currency}) refuses its new runs once spent. Its concurrency limit lets at most that many of its runs execute at once;
          the others wait (throttled) without holding a worker and start when a run ends.
        </p>
        <Table>
          <TableHeader>
            <TableRow>
              <TableHead>Workflow</TableHead>
              <TableHead>This month</TableHead>
              <TableHead>Monthly budget</TableHead>
              <TableHead>Concurrent runs</TableHead>
              <TableHead />
            </TableRow>
          </TableHeader>
          <TableBody>
            {overview.workflows.map((workflow) => (
              <WorkflowLimitsRow key={workflow.workflowId} initial={workflow} currency={currency} canEdit={canEdit} />
            ))}
          </TableBody>
        </Table>
      </section>
    </div>
  );
}
