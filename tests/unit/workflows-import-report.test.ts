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
