import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AppRouterContext } from "next/dist/shared/lib/app-router-context.shared-runtime";
import { PathnameContext, SearchParamsContext } from "next/dist/shared/lib/hooks-client-context.shared-runtime";
import { RunFilters } from "@/components/runs/run-filters";
import { RunSummary } from "@/components/runs/run-summary";
import { RunTable } from "@/components/runs/run-table";
import { describeInitiator } from "@/lib/runs/initiator";
import type { RunDetail, RunListItem } from "@/lib/runs/queries";

/** The runs list and the run page say who or what started each run. */
const base: RunListItem = {
  id: "3f1c2d4e-0000-4000-8000-000000000001",
  status: "succeeded",
  workflowId: "wf",
  workflowName: "Billing bot",
  createdAt: new Date("2026-01-02T10:00:00Z"),
  startedAt: new Date("2026-01-02T10:00:01Z"),
  finishedAt: new Date("2026-01-02T10:00:03Z"),
  durationMs: 2000,
  totalTokens: 10,
  cost: { USD: 0.01 },
  sourceRunId: null,
  sourceKind: null,
  parentRunId: null,
  trigger: "api",
  initiator: { kind: "api_key", id: "k1", name: "billing-prod" },
  version: 3,
  throttledReason: null,
  throttledUntil: null,
};

describe("describeInitiator", () => {
  it("names the member and the trigger, or the API key and the version", () => {
    expect(describeInitiator({ kind: "user", id: "u", name: "Ada Lovelace" }, "editor", null)).toBe("Ada Lovelace · editor");
    expect(describeInitiator({ kind: "api_key", id: "k", name: "billing-prod" }, "api", 3)).toBe("API key ‘billing-prod’ · v3");
    expect(describeInitiator({ kind: "api_key", id: "k", name: "billing-prod" }, "subworkflow", 1)).toBe("API key ‘billing-prod’ · sub-workflow · v1");
    expect(describeInitiator(null, "schedule", 2)).toBe("Unknown · schedule · v2");
  });
});

describe("rendering", () => {
  it("the runs table shows the initiator on each row", () => {
    const html = renderToStaticMarkup(h(RunTable, { runs: [base, { ...base, id: "3f1c2d4e-0000-4000-8000-000000000002", trigger: "editor", initiator: { kind: "user", id: "u", name: "Ada Lovelace" }, version: null }] }));
    expect(html).toContain("Started by");
    expect(html).toContain("API key ‘billing-prod’ · v3");
    expect(html).toContain("Ada Lovelace · editor");
    expect(html.match(/data-testid="run-row-initiator"/g)).toHaveLength(2);
  });

  it("the run page's summary shows the initiator", () => {
    const run: RunDetail = {
      ...base,
      inputs: { question: "hi" },
      output: { answer: "hello" },
      error: null,
      promptTokens: 5,
      completionTokens: 5,
      steps: [],
      lineage: { source: null, derived: [], parent: null, children: [] },
    };
    const html = renderToStaticMarkup(h(RunSummary, { run, now: new Date("2026-01-02T10:01:00Z") }));
    expect(html).toContain(`data-testid="run-initiator"><a class="hover:underline" title="All runs started by them" href="/runs?initiator=key:k1">API key ‘billing-prod’ · v3</a>`);
  });
});

describe("run filters", () => {
  const options = {
    workflows: [{ id: "wf", name: "Billing bot", versions: [2, 1] }],
    initiators: [
      { value: "user:u1", label: "Ada Lovelace (ada@example.test)" },
      { value: "key:k1", label: "API key ‘billing-prod’" },
    ],
    triggers: ["editor", "api", "rerun", "resume", "subworkflow", "tool", "openai", "mcp"] as const,
    currencies: ["CNY", "USD"],
  };
  /** The form as the browser first paints it for a shared link, inside the router contexts Next provides. */
  function render(query: string) {
    const router = { push: () => undefined, replace: () => undefined, refresh: () => undefined, back: () => undefined, forward: () => undefined, prefetch: () => undefined };
    return renderToStaticMarkup(
      h(
        AppRouterContext.Provider,
        { value: router as never },
        h(PathnameContext.Provider, { value: "/runs" }, h(SearchParamsContext.Provider, { value: new URLSearchParams(query) as never }, h(RunFilters, { options }))),
      ),
    );
  }

  it("labels every control and shows the URL's filters", () => {
    const html = render("q=invoice&workflowId=wf&version=2&status=failed&initiator=key%3Ak1&trigger=api&from=2026-01-01&to=2026-01-31&minDurationMs=1500&maxCost=0.5&currency=CNY");
    const ids = ["q", "status", "workflow", "version", "initiator", "trigger", "from", "to", "min-duration", "max-duration", "min-cost", "max-cost", "currency"];
    for (const id of ids) {
      expect(html, id).toContain(`data-testid="run-filter-${id}"`);
      expect(html, id).toContain(`for="run-filter-${id}"`);
    }
    expect(html).toContain('value="invoice"');
    expect(html).toMatch(/<option value="2" selected="">v2<\/option>/);
    expect(html).toMatch(/<option value="key:k1" selected="">API key ‘billing-prod’<\/option>/);
    expect(html).toContain('value="1.5"'); // min duration in seconds
    expect(html).toMatch(/<option value="CNY" selected="">CNY<\/option>/);
    expect(html).toContain('role="search"');
  });

  it("offers the OpenAI endpoint and MCP triggers with readable labels", () => {
    const html = render("trigger=openai");
    expect(html).toMatch(/<option value="openai" selected="">OpenAI endpoint<\/option>/);
    expect(html).toContain('<option value="mcp">MCP</option>');
    expect(html).toContain('<option value="subworkflow">Sub-workflow</option>');
  });
});
