import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { ReactFlow } from "@xyflow/react";
import { describe, expect, it } from "vitest";
import { createEditorStore } from "@/lib/editor/store";
import { Inspector } from "@/components/editor/inspector";
import { EditorStoreProvider } from "@/components/editor/store-context";
import { WeftNodeComponent } from "@/components/editor/weft-node";

/** Server-renders the canvas node and the inspector for a store, as the browser would first paint them. */
function storeWith(settings: Record<string, unknown> | undefined) {
  const store = createEditorStore({ workflowId: "wf", name: "T", graph: { version: 1, nodes: [], edges: [] }, revision: 0 });
  const id = store.getState().addNode("llm", { x: 0, y: 0 });
  store.getState().updateSettings(id, settings);
  // Server rendering reads zustand's initial state; show the state after the edits instead.
  return { store: { ...store, getInitialState: store.getState }, id };
}

function canvas(store: ReturnType<typeof storeWith>["store"]) {
  const nodes = store.getState().nodes.map((n) => ({ ...n, width: 240, height: 120 }));
  return renderToStaticMarkup(
    h(EditorStoreProvider, { store, children: h(ReactFlow, { nodes, edges: [], nodeTypes: { weft: WeftNodeComponent }, width: 800, height: 600 }) }),
  );
}

describe("canvas and inspector render the node settings", () => {
  it("draws an ERROR handle only when the node takes the error branch", () => {
    const plain = storeWith(undefined);
    expect(canvas(plain.store)).toContain(`data-testid="handle-${plain.id}-out"`);
    expect(canvas(plain.store)).not.toContain(`handle-${plain.id}-error`);
    const branching = storeWith({ onError: "branch" });
    const html = canvas(branching.store);
    expect(html).toContain(`data-testid="handle-${branching.id}-error"`);
    expect(html).toContain(`data-testid="handle-${branching.id}-out"`);
    expect(html).toContain(">ERROR<");
  });

  it("shows the Settings section, open when the node has custom settings", () => {
    const { store } = storeWith({ onError: "continue", defaultOutput: { text: "n/a" }, retry: { maxAttempts: 3 } });
    const html = renderToStaticMarkup(h(EditorStoreProvider, { store, children: h(Inspector) }));
    expect(html).toContain('data-testid="node-settings"');
    expect(html).toContain('data-testid="settings-on-error"');
    expect(html).toContain("Continue with default output");
    expect(html).toContain('data-testid="settings-backoff"');
    expect(html).toMatch(/data-testid="settings-default-output"[^>]*>\{\n {2}&quot;text&quot;: &quot;n\/a&quot;\n\}/);
    const closed = storeWith(undefined);
    const closedHtml = renderToStaticMarkup(h(EditorStoreProvider, { store: closed.store, children: h(Inspector) }));
    expect(closedHtml).toContain('data-testid="node-settings-toggle"');
    expect(closedHtml).not.toContain('data-testid="settings-on-error"');
  });
});
