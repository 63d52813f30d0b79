import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { EditorHeader } from "@/components/editor/editor-header";
import { EditorStoreProvider } from "@/components/editor/store-context";
import { refusalMessage } from "@/lib/auth/permissions";
import { createEditorStore } from "@/lib/editor/store";

/** The editor header as first painted: the Publish button follows the permission table's workflow.publish. */
function header(publishDeniedReason: string | null) {
  const store = createEditorStore({ workflowId: "wf", name: "T", graph: { version: 1, nodes: [], edges: [] }, revision: 0 });
  // A saved draft, so nothing but the permission can disable the button.
  store.setState({ save: { ...store.getState().save, status: "saved" } });
  const saved = { ...store, getInitialState: store.getState };
  const html = renderToStaticMarkup(
    h(EditorStoreProvider, { store: saved, children: h(EditorHeader, { onRun: () => {}, runBlockedReason: null, publishDeniedReason, onRetrySave: () => {} }) }),
  );
  return /<button[^>]*data-testid="publish-button"[^>]*>/.exec(html)?.[0] ?? "";
}

describe("the Publish button", () => {
  it("is disabled for an editor, with the reason from the permission table as its tooltip", () => {
    const reason = refusalMessage("editor", "workflow.publish");
    const button = header(reason);
    expect(button).toMatch(/ disabled=""/);
    expect(button).toContain(`title="${reason}"`);
  });

  it("is enabled for a developer", () => {
    const button = header(null);
    expect(button).not.toMatch(/ disabled=""/);
    expect(button).toContain('title="Publish version 1 for the API"');
  });
});
