import type { Metadata } from "next";
import { MemberBreakdown, ModelBreakdown, WorkflowBreakdown } from "@/components/analytics/breakdowns";
import { CostChart, DurationChart, RunsByStatusChart, SuccessRateChart, TokensChart } from "@/components/analytics/charts";
import { OverviewTotals } from "@/components/analytics/figures";
import { OverviewTabs } from "@/components/analytics/overview-tabs";
import { RangePicker } from "@/components/analytics/range-picker";
import { PageHeader } from "@/components/shell/page-header";
import { getOverview } from "@/lib/analytics/overview";
import { ANALYTICS_TIME_ZONE, parseRange, rangeSearch, type RangeParams } from "@/lib/analytics/range";
import { requireMember } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Overview" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined;

export default async function OverviewPage({ searchParams }: { searchParams: SearchParams }) {
  const member = await requireMember("analytics.read");
  const params = await searchParams;
  const asked: RangeParams = { range: first(params.range), from: first(params.from), to: first(params.to) };
  // A bad range in the URL (hand-edited, or a custom pair out of order) shows the default with the reason.
  const parsed = parseRange(asked);
  const problem = "issues" in parsed ? parsed.issues.map((issue) => issue.message).join(" ") : null;
  const overview = await getOverview(member, "range" in parsed ? asked : {});
  const { range, days } = overview;

  return (
    <div className="mx-auto max-w-7xl space-y-6 p-8">
      <PageHeader
        title="Overview"
        description={`Runs, tokens and cost of this workspace from ${range.from} to ${range.to} (${range.days} day${range.days === 1 ? "" : "s"}). Days are ${ANALYTICS_TIME_ZONE} days.`}
        actions={<OverviewTabs current="dashboard" search={rangeSearch(range)} />}
      />
      <RangePicker key={`${range.from}:${range.to}`} range={range} />
      {problem ? (
        <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-800" data-testid="range-problem">
          That date range cannot be shown: {problem} Showing the last 30 days instead.
        </p>
      ) : null}
      <OverviewTotals totals={overview.totals} />
      <section aria-label="Charts" className="grid gap-4 lg:grid-cols-2">
        <RunsByStatusChart days={days} />
        <SuccessRateChart days={days} />
        <DurationChart days={days} />
        <TokensChart days={days} />
        {overview.currencies.map((currency) => (
          <CostChart key={currency} days={days} currency={currency} />
        ))}
      </section>
      <WorkflowBreakdown rows={overview.byWorkflow} />
      <div className="grid gap-6 xl:grid-cols-2">
        <ModelBreakdown rows={overview.byModel} />
        <MemberBreakdown rows={overview.byMember} />
      </div>
      <p className="text-xs text-muted-foreground">
        A run counts on the {ANALYTICS_TIME_ZONE} day it was created. Success rate is succeeded ÷ (succeeded + failed); durations are of runs that
        succeeded or failed. Sub-workflow runs count as runs of their own workflow. Per-model figures come from the model-calling steps (LLM, Agent,
        Classifier, Parameter extractor); steps copied by a resume or re-run are counted once, in the run that made the call. Amounts in different
        currencies are never added together.
      </p>
    </div>
  );
}
