import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ImportReport } from "@/components/workflows/import-report";

describe("the import report of a workflow that uses knowledge bases", () => {
  it("lists each knowledge base with what it became here, a missing one with its reason", () => {
    const html = renderToStaticMarkup(
      h(ImportReport, {
        knowledgeBases: [
          { sourceId: "a", name: "Employee Handbook", status: "mapped", targetId: "b", nodeIds: ["search", "helper"] },
          { sourceId: "c", name: "Price list", status: "missing", targetId: null, reason: 'No knowledge base here is named "Price list".', nodeIds: ["search"] },
        ],
      }),
    );
    expect(html.match(/data-testid="import-knowledge-base"/g)).toHaveLength(2);
    expect(html).toContain('data-status="mapped"');
    expect(html).toContain("this workspace&#x27;s knowledge base of that name");
    expect(html).toContain("1 could not be found here");
    expect(html).toContain("No knowledge base here is named &quot;Price list&quot;.");
  });
});

describe("the import report of a workflow whose rerank settings name providers", () => {
  it("lists each provider with what it became here, next to the knowledge bases", () => {
    const html = renderToStaticMarkup(
      h(ImportReport, {
        knowledgeBases: [{ sourceId: "a", name: "Employee Handbook", status: "kept", targetId: "a", nodeIds: ["search"] }],
        providers: [{ sourceId: "p", name: "Jina", status: "missing", targetId: null, reason: 'No model provider here is named "Jina".', nodeIds: ["search"] }],
      }),
    );
    expect(html.match(/data-testid="import-knowledge-base"/g)).toHaveLength(1);
    expect(html).toContain("1 knowledge base, all found here.");
    expect(html).toContain('data-testid="import-provider" data-status="missing"');
    expect(html).toContain("The workflow uses 1 rerank model provider; 1 could not be found here");
    expect(html).toContain("No model provider here is named &quot;Jina&quot;.");
  });
});
