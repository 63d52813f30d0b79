import type { ReactNode } from "react";
import { Sidebar } from "@/components/shell/sidebar";
import { requireMember } from "@/lib/auth/session";
import { listUserWorkspaces } from "@/lib/auth/workspaces";
import { countPendingWaits } from "@/lib/runs/waits";
import { BudgetBanner } from "@/components/shell/budget-banner";
import { can } from "@/lib/auth/permissions";
import { budgetAlerts } from "@/lib/limits/budgets";

export default async function StudioLayout({ children }: { children: ReactNode }) {
  const member = await requireMember();
  // Open approvals and questions, for the Inbox link (an indexed count; refreshed with the page).
  // Budgets past their warning threshold: a banner on every studio page (best effort, like the count).
  const [inboxCount, workspaces, alerts] = await Promise.all([
    countPendingWaits(member).catch(() => 0),
    listUserWorkspaces(member.userId),
    budgetAlerts(member.workspaceId).catch(() => []),
  ]);
  return (
    <div className="flex h-screen overflow-hidden">
      <Sidebar member={member} workspaces={workspaces} inboxCount={inboxCount} />
      {/* A definite height so full-bleed pages (the editor canvas) can use h-full. */}
      {alerts.length === 0 ? (
        <main className="relative h-screen min-h-0 min-w-0 flex-1 overflow-auto">{children}</main>
      ) : (
        <main className="relative flex h-screen min-h-0 min-w-0 flex-1 flex-col overflow-hidden">
          <BudgetBanner alerts={alerts} canManage={can(member.role, "budget.manage")} />
          <div className="relative min-h-0 flex-1 overflow-auto">{children}</div>
        </main>
      )}
    </div>
  );
}
