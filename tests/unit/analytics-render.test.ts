import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { MemberBreakdown, ModelBreakdown, WorkflowBreakdown } from "@/components/analytics/breakdowns";
import { CatalogTable } from "@/components/analytics/catalog-table";
import { CostChart, RunsByStatusChart, SuccessRateChart } from "@/components/analytics/charts";
import { OverviewTotals, formatRate } from "@/components/analytics/figures";
import type { CatalogRow } from "@/lib/analytics/catalog";
import type { RunFigures } from "@/lib/analytics/overview";

/** First paint of the Overview's pieces from the plain data the server hands them. */

const figures = (extra: Partial<RunFigures> = {}): RunFigures => ({
  runs: 4,
  queued: 0,
  running: 0,
  waiting: 0,
  succeeded: 3,
  failed: 1,
  cancelled: 0,
  p50Ms: 2500,
  p95Ms: 3850,
  promptTokens: 1200,
  completionTokens: 300,
  totalTokens: 1500,
  cost: { USD: 0.3, CNY: 1.5 },
  successRate: 0.75,
  ...extra,
});

const catalogRow = (extra: Partial<CatalogRow>): CatalogRow => ({
  id: "wf",
  name: "Workflow",
  ownerId: null,
  ownerName: null,
  ownerEmail: null,
  publishedVersion: null,
  publishedAt: null,
  lastRunId: null,
  lastRunStatus: null,
  lastRunAt: null,
  runs7: 0,
  runs30: 0,
  succeeded30: 0,
  failed30: 0,
  errorRate: null,
  cost7: {},
  cost30: {},
  idle: false,
  ...extra,
});

describe("the Overview", () => {
  it("shows the totals, each currency on its own line, never added together", () => {
    const html = renderToStaticMarkup(h(OverviewTotals, { totals: figures() }));
    expect(html).toContain('data-testid="total-runs"');
    expect(html).toContain("75.0%");
    expect(html).toContain("2.50 s");
    expect(html).toContain("3.85 s");
    expect(html).toContain("1,500");
    expect(html).toContain('data-currency="CNY">¥1.50<');
    expect(html).toContain('data-currency="USD">$0.30<');
    expect(formatRate(null)).toBe("—");
    expect(formatRate(1)).toBe("100%");
  });

  it("names runs without a user API / other, links workflows and their runs, marks deleted ones", () => {
    const members = renderToStaticMarkup(h(MemberBreakdown, { rows: [{ ...figures(), userId: "u1", name: "Ada", email: "ada@example.test" }, { ...figures(), userId: null, name: null, email: null }] }));
    expect(members).toContain("Ada");
    expect(members).toContain("API / other");
    const workflows = renderToStaticMarkup(h(WorkflowBreakdown, { rows: [{ ...figures(), workflowId: "w1", name: "Support" }, { ...figures(), workflowId: null, name: "Gone" }] }));
    expect(workflows).toContain('href="/workflows/w1"');
    expect(workflows).toContain('href="/runs?workflow=w1"');
    expect(workflows).toContain("(deleted)");
    const models = renderToStaticMarkup(h(ModelBreakdown, { rows: [] }));
    expect(models).toContain("No model calls in this range.");
  });

  it("renders the charts as labelled figures (one cost chart per currency)", () => {
    const day = { day: "2026-03-01", ...figures() };
    expect(renderToStaticMarkup(h(RunsByStatusChart, { days: [day] }))).toMatch(/role="figure" aria-label="Runs per day" data-testid="chart-runs-per-day"/);
    expect(renderToStaticMarkup(h(CostChart, { days: [day], currency: "CNY" }))).toContain('data-testid="chart-cost-CNY"');
    expect(renderToStaticMarkup(h(SuccessRateChart, { days: [day, { ...day, day: "2026-03-02", successRate: null }] }))).toContain('aria-label="Success rate per day"');
  });
});

describe("the agent catalog", () => {
  it("lists the busiest workflow first, flags idle ones and links each to its editor, last run and runs", () => {
    const rows = [
      catalogRow({ id: "quiet", name: "Quiet", publishedVersion: 1, idle: true }),
      catalogRow({ id: "busy", name: "Busy", ownerName: "Ada", publishedVersion: 3, runs7: 5, runs30: 12, errorRate: 0.25, lastRunId: "r1", lastRunStatus: "failed", lastRunAt: new Date("2026-03-01T10:00:00Z"), cost30: { USD: 0.5 } }),
    ];
    const html = renderToStaticMarkup(h(CatalogTable, { rows, now: new Date("2026-03-01T12:00:00Z") }));
    expect(html.indexOf('data-workflow-id="busy"')).toBeLessThan(html.indexOf('data-workflow-id="quiet"'));
    expect(html).toContain('data-idle="true"');
    expect(html.match(/data-testid="catalog-idle"/g)).toHaveLength(1);
    expect(html).toContain('href="/workflows/busy"');
    expect(html).toContain('href="/runs?workflow=busy"');
    expect(html).toContain('href="/runs/r1"');
    expect(html).toContain("2 hours ago");
    expect(html).toContain("v3");
    expect(html).toContain("25.0%");
    expect(html).toMatch(/aria-sort="descending"[^>]*><button[^>]*data-testid="catalog-sort-runs30"/);
  });
});
