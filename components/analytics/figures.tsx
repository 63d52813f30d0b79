import type { ReactNode } from "react";
import { Card, CardContent, CardHeader, CardTitle } from "@/components/ui/card";
import type { RunFigures } from "@/lib/analytics/overview";
import { formatCost } from "@/lib/models/cost";
import { formatDuration, formatNumber } from "@/lib/utils";

/** "92.5%", or "—" when nothing ended. */
export function formatRate(rate: number | null): string {
  return rate === null ? "—" : `${(rate * 100).toFixed(rate === 0 || rate === 1 ? 0 : 1)}%`;
}

/** A cost by currency, one currency per line (amounts in different currencies are never added); "—" when none. */
export function CostLines({ cost, testId }: { cost: Record<string, number>; testId?: string }) {
  const currencies = Object.keys(cost).sort();
  if (currencies.length === 0) return <span data-testid={testId}>—</span>;
  return (
    <span className="inline-flex flex-col items-end" data-testid={testId}>
      {currencies.map((currency) => (
        <span key={currency} data-currency={currency}>
          {formatCost({ [currency]: cost[currency]! })}
        </span>
      ))}
    </span>
  );
}

function Stat({ label, testId, children, hint }: { label: string; testId: string; children: ReactNode; hint?: string }) {
  return (
    <Card data-testid={testId}>
      <CardHeader className="pb-1">
        <CardTitle className="text-xs font-medium text-muted-foreground">{label}</CardTitle>
      </CardHeader>
      <CardContent>
        <p className="text-2xl font-semibold tabular-nums" aria-label={label}>
          {children}
        </p>
        {hint ? <p className="mt-1 text-xs text-muted-foreground">{hint}</p> : null}
      </CardContent>
    </Card>
  );
}

/** The range's totals, above the charts. */
export function OverviewTotals({ totals }: { totals: RunFigures }) {
  return (
    <section aria-label="Totals" className="grid grid-cols-2 gap-3 md:grid-cols-3 xl:grid-cols-6" data-testid="overview-totals">
      <Stat label="Runs" testId="total-runs" hint={`${formatNumber(totals.succeeded)} succeeded, ${formatNumber(totals.failed)} failed`}>
        {formatNumber(totals.runs)}
      </Stat>
      <Stat label="Success rate" testId="total-success-rate" hint="Succeeded ÷ (succeeded + failed)">
        {formatRate(totals.successRate)}
      </Stat>
      <Stat label="p50 duration" testId="total-p50">
        {formatDuration(totals.p50Ms)}
      </Stat>
      <Stat label="p95 duration" testId="total-p95">
        {formatDuration(totals.p95Ms)}
      </Stat>
      <Stat label="Tokens" testId="total-tokens" hint={`${formatNumber(totals.promptTokens)} prompt, ${formatNumber(totals.completionTokens)} completion`}>
        {formatNumber(totals.totalTokens)}
      </Stat>
      <Stat label="Cost" testId="total-cost">
        <CostLines cost={totals.cost} />
      </Stat>
    </section>
  );
}
