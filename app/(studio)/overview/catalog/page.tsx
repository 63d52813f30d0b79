import { Workflow } from "lucide-react";
import type { Metadata } from "next";
import { CatalogTable } from "@/components/analytics/catalog-table";
import { OverviewTabs } from "@/components/analytics/overview-tabs";
import { PageHeader } from "@/components/shell/page-header";
import { EmptyState } from "@/components/ui/empty-state";
import { IDLE_DAYS, getAgentCatalog } from "@/lib/analytics/catalog";
import { ANALYTICS_TIME_ZONE } from "@/lib/analytics/range";
import { requireMember } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Agent catalog" };

export default async function AgentCatalogPage() {
  const member = await requireMember("analytics.read");
  const now = new Date();
  const rows = await getAgentCatalog(member, now);
  const idle = rows.filter((row) => row.idle).length;

  return (
    <div className="mx-auto max-w-7xl space-y-6 p-8">
      <PageHeader
        title="Agent catalog"
        description={`Every workflow of this workspace: who owns it, what is published, how much it runs and costs. The last 7 and 30 days are ${ANALYTICS_TIME_ZONE} days, today included.`}
        actions={<OverviewTabs current="catalog" />}
      />
      {rows.length === 0 ? (
        <EmptyState icon={<Workflow />} title="No workflows yet" description="Create a workflow and it shows up here." />
      ) : (
        <>
          <p className="text-sm text-muted-foreground" data-testid="catalog-summary">
            {rows.length} workflow{rows.length === 1 ? "" : "s"}, {idle} idle (published, but no run in the last {IDLE_DAYS} days).
          </p>
          <CatalogTable rows={rows} now={now} />
        </>
      )}
    </div>
  );
}
