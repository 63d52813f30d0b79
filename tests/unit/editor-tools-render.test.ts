import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { ReactFlowProvider } from "@xyflow/react";
import { describe, expect, it } from "vitest";
import { createEditorStore } from "@/lib/editor/store";
import { Canvas } from "@/components/editor/canvas";
import { FindPanel } from "@/components/editor/find-panel";
import { EditorStoreProvider } from "@/components/editor/store-context";
import { nodeRegistry } from "@/lib/nodes/registry";

/** Server-renders the canvas with its edit toolbar, and the find panel's outline. */

const graph = {
  version: 1 as const,
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, data: nodeRegistry.start!.defaultConfig() as Record<string, unknown> },
    { id: "llm", type: "llm", position: { x: 300, y: 0 }, data: { ...(nodeRegistry.llm!.defaultConfig() as Record<string, unknown>), title: "Writer" } },
  ],
  edges: [{ id: "e1", source: "start", target: "llm" }],
};

const render = (readOnly: boolean, child: "canvas" | "find") => {
  const store = createEditorStore({ workflowId: "wf", name: "T", graph, revision: 0, readOnly });
  const content = child === "canvas" ? h(Canvas) : h(FindPanel, { focusKey: 0, onFocusNode: () => {}, onClose: () => {} });
  return renderToStaticMarkup(h(EditorStoreProvider, { store, children: h(ReactFlowProvider, null, content) }));
};

describe("editor tools", () => {
  it("shows undo and redo (disabled before any change), find and shortcuts on the canvas", () => {
    const html = render(false, "canvas");
    expect(html).toMatch(/data-testid="undo-button"[^>]*disabled|disabled=""[^>]*data-testid="undo-button"/);
    expect(html).toContain('data-testid="redo-button"');
    expect(html).toContain('data-testid="find-button"');
    expect(html).toContain('data-testid="shortcuts-button"');
  });

  it("viewers get find and shortcuts but no undo", () => {
    const html = render(true, "canvas");
    expect(html).not.toContain('data-testid="undo-button"');
    expect(html).toContain('data-testid="find-button"');
  });

  it("the find panel starts as the outline of every node", () => {
    const html = render(false, "find");
    expect(html).toContain('data-testid="outline-start"');
    expect(html).toContain('data-testid="outline-llm"');
    expect(html).toContain("Writer");
    expect(html).toContain("2 nodes");
  });
});
