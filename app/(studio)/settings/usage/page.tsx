import type { Metadata } from "next";
import { PageHeader } from "@/components/shell/page-header";
import { UsageLimits } from "@/components/settings/usage-limits";
import { can } from "@/lib/auth/permissions";
import { requireMember } from "@/lib/auth/session";
import { usageOverview } from "@/lib/limits/budgets";

export const metadata: Metadata = { title: "Usage & limits" };

export default async function UsageSettingsPage() {
  const member = await requireMember("budget.read");
  const overview = await usageOverview(member);
  return (
    <div className="mx-auto max-w-5xl space-y-6 p-8">
      <PageHeader
        title="Usage & limits"
        description="This month's spend against the workspace's budget, and each workflow's own budget and concurrency limit. Model providers' rate limits are set in Settings → Models."
      />
      <UsageLimits overview={overview} canEdit={can(member.role, "budget.manage")} />
    </div>
  );
}
