import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { ReactFlow } from "@xyflow/react";
import { describe, expect, it } from "vitest";
import type { Graph } from "@/lib/engine/graph";
import { createEditorStore } from "@/lib/editor/store";
import { Inspector } from "@/components/editor/inspector";
import { EditorStoreProvider } from "@/components/editor/store-context";
import { WeftNodeComponent } from "@/components/editor/weft-node";

/** Server-renders a loop container with a body node, and the Loop's inspector panel. */

const graph: Graph = {
  version: 1,
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "urls", label: "", type: "array", required: true, description: "" }] } },
    { id: "loop", type: "loop", position: { x: 300, y: 0 }, width: 520, height: 260, data: { items: "{{ start.urls }}", parallelism: 3, output: "fetch.status" } },
    { id: "fetch", type: "http", parentId: "loop", position: { x: 30, y: 80 }, data: { url: "{{ loop.item }}" } },
    { id: "end", type: "end", position: { x: 900, y: 0 }, data: { outputs: [{ name: "r", value: "{{ loop.results }}" }] } },
  ],
  edges: [
    { id: "e1", source: "start", target: "loop" },
    { id: "e2", source: "loop", target: "end" },
  ],
};

function storeWith(select?: string) {
  const store = createEditorStore({ workflowId: "wf", name: "T", graph, revision: 0 });
  if (select) store.getState().selectNode(select);
  // Server rendering reads zustand's initial state; show the state after the edits instead.
  return { ...store, getInitialState: store.getState };
}

describe("the Loop in the editor", () => {
  it("draws the loop as a container with its list, parallelism and item hints, and its body node inside", () => {
    const store = storeWith();
    const nodes = store.getState().nodes.map((n) => (n.width ? n : { ...n, width: 240, height: 120 }));
    const html = renderToStaticMarkup(
      h(EditorStoreProvider, { store, children: h(ReactFlow, { nodes, edges: [], nodeTypes: { weft: WeftNodeComponent }, width: 1200, height: 600 }) }),
    );
    expect(html).toContain('data-testid="node-loop"');
    expect(html).toContain('data-node-type="loop"');
    expect(html).toContain("{{ start.urls }}</code>, 3 at a time");
    expect(html).toContain("{{ loop.item }}");
    expect(html).toContain('data-testid="handle-loop-out"');
    expect(html).toContain('data-testid="node-fetch"');
  });

  it("offers the body's fields as the result of each item in the inspector", () => {
    const html = renderToStaticMarkup(h(EditorStoreProvider, { store: storeWith("loop"), children: h(Inspector) }));
    expect(html).toContain("List to loop over");
    expect(html).toMatch(/<option value="fetch\.status" selected="">fetch\.status \(number\)<\/option>/);
    expect(html).toContain('<option value="fetch.body">');
    // Upstream fields are not offered as a per-item result.
    expect(html).not.toContain('<option value="start.urls">');
    expect(html).toContain("When an item fails");
  });
});
