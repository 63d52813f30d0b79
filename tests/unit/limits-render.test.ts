import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ThrottledNote } from "@/components/runs/throttled-note";
import { UsageLimits } from "@/components/settings/usage-limits";
import { draftsToLimits, limitDrafts, ProviderLimitsFields } from "@/components/settings/provider-limits-fields";
import { BudgetBanner } from "@/components/shell/budget-banner";
import type { BudgetStatus, UsageOverview } from "@/lib/limits/budgets";

/** First paint of the budget and limit controls: what each role sees, and the labels tests and screen readers find. */

const spent: BudgetStatus = { scope: "workspace", workflowId: null, monthlyLimit: 50, currency: "USD", warnPercent: 80, spent: 52.5, percent: 105, state: "exhausted" };
const overview: UsageOverview = {
  monthStart: "2026-12-01T00:00:00.000Z",
  budget: spent,
  spentByCurrency: { USD: 52.5 },
  workflows: [
    { workflowId: "wf-1", name: "Triage", maxConcurrentRuns: 2, budget: { ...spent, scope: "workflow", workflowId: "wf-1", workflowName: "Triage", monthlyLimit: 100, spent: 85, percent: 85, state: "warning" } },
    { workflowId: "wf-2", name: "Digest", maxConcurrentRuns: null, budget: null },
  ],
};

describe("Settings → Usage & limits", () => {
  it("shows the spend against the budgets and lets admins edit them", () => {
    const admin = renderToStaticMarkup(h(UsageLimits, { overview, canEdit: true }));
    expect(admin).toContain('data-testid="workspace-budget-meter" data-state="exhausted"');
    expect(admin).toContain("spent: new runs are refused");
    expect(admin).toContain('data-testid="workflow-budget-meter-wf-1" data-state="warning"');
    expect(admin).toContain('aria-label="Concurrent runs of Triage"');
    expect(admin).toMatch(/<input[^>]*id="budget-limit"[^>]*value="50"/);
    expect(admin).toContain("Save budget");
    expect(admin).toContain('data-testid="save-workflow-limits-wf-2"');

    const reader = renderToStaticMarkup(h(UsageLimits, { overview, canEdit: false }));
    expect(reader).not.toContain("Save budget");
    expect(reader).toMatch(/<input[^>]*id="budget-limit"[^>]*disabled/);
  });

  it("warns across the studio, with the way to raise the budget for those who may", () => {
    const admin = renderToStaticMarkup(h(BudgetBanner, { alerts: [spent], canManage: true }));
    expect(admin).toContain("The workspace&#x27;s monthly budget is spent ($52.50 of $50.00). New runs are refused.");
    expect(admin).toContain('href="/settings/usage"');
    const editor = renderToStaticMarkup(h(BudgetBanner, { alerts: [spent], canManage: false }));
    expect(editor).toContain("Ask an admin to raise it.");
    expect(renderToStaticMarkup(h(BudgetBanner, { alerts: [], canManage: true }))).toBe("");
  });
});

describe("provider rate-limit fields", () => {
  it("labels each limit and turns empty fields into no limit", () => {
    const drafts = limitDrafts({ requestsPerMinute: 60 });
    const html = renderToStaticMarkup(h(ProviderLimitsFields, { drafts, onChange: () => undefined }));
    for (const label of ["Requests per minute", "Tokens per minute", "Concurrent calls"]) expect(html).toContain(label);
    expect(html).toMatch(/id="provider-limit-rpm"[^>]*value="60"/);
    expect(draftsToLimits({ ...drafts, maxConcurrentCalls: " 3 " })).toEqual({ requestsPerMinute: 60, maxConcurrentCalls: 3 });
  });
});

describe("throttled runs", () => {
  it("say what they wait for while queued, and nothing once running", () => {
    const run = { status: "queued", throttledReason: 'provider "OpenAI" allows 2 requests per minute', throttledUntil: new Date("2026-12-04T20:00:05Z") };
    expect(renderToStaticMarkup(h(ThrottledNote, { run }))).toContain("throttled: provider &quot;OpenAI&quot; allows 2 requests per minute");
    expect(renderToStaticMarkup(h(ThrottledNote, { run: { ...run, status: "running" } }))).toBe("");
  });
});
