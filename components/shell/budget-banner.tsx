import Link from "next/link";
import type { BudgetStatus } from "@/lib/limits/budgets";
import { formatCost } from "@/lib/models/cost";

/** Across the studio: budgets past their warning threshold, or spent (then new runs are refused). */
export function BudgetBanner({ alerts, canManage }: { alerts: BudgetStatus[]; canManage: boolean }) {
  if (alerts.length === 0) return null;
  const spent = alerts.some((a) => a.state === "exhausted");
  return (
    <div role="alert" data-testid="budget-banner" className={`border-b px-4 py-2 text-sm ${spent ? "border-red-200 bg-red-50 text-red-800" : "border-amber-200 bg-amber-50 text-amber-900"}`}>
      {alerts.map((a) => {
        const whose = a.scope === "workspace" ? "The workspace's" : `Workflow "${a.workflowName}"'s`;
        const figures = `${formatCost({ [a.currency]: a.spent })} of ${formatCost({ [a.currency]: a.monthlyLimit })}`;
        return (
          <p key={a.workflowId ?? "workspace"}>
            {whose} monthly budget is {a.state === "exhausted" ? "spent" : `${a.percent}% used`} ({figures}).
            {a.state === "exhausted" ? " New runs are refused." : ""}{" "}
            {canManage ? (
              <Link className="underline" href="/settings/usage">
                {a.state === "exhausted" ? "Raise the budget" : "Usage & limits"}
              </Link>
            ) : a.state === "exhausted" ? (
              "Ask an admin to raise it."
            ) : null}
          </p>
        );
      })}
    </div>
  );
}
