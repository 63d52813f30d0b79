import { createElement as h, type ReactElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { DiffList } from "@/components/editor/diff-list";
import { Inspector } from "@/components/editor/inspector";
import { EditorStoreProvider } from "@/components/editor/store-context";
import { WeftNodeComponent } from "@/components/editor/weft-node";
import { createEditorStore } from "@/lib/editor/store";
import type { Graph } from "@/lib/engine/graph";
import { diffGraphs } from "@/lib/workflows/diff";
import { ReactFlowProvider } from "@xyflow/react";
import { edge, end, graph, start, template } from "./engine/fixtures";

/** The inspector's disable/pin/test sections and the node's marks, as first painted. */
const base = (): Graph =>
  graph(
    [start("start"), { ...template("tpl", "{{ start.question }}"), pin: { output: { text: "pinned" } } }, { ...template("off", "x"), disabled: true }, end("end", { a: "{{ tpl.text }}" })],
    [edge("start", "tpl"), edge("tpl", "off"), edge("off", "end")],
  );

function render(selected: string | null, child: (store: ReturnType<typeof createEditorStore>) => ReactElement) {
  const store = createEditorStore({ workflowId: "wf", name: "T", graph: base(), revision: 0 });
  if (selected) store.getState().selectNode(selected);
  const fixed = { ...store, getInitialState: store.getState };
  return renderToStaticMarkup(h(ReactFlowProvider, null, h(EditorStoreProvider, { store: fixed, children: child(store) })));
}

describe("editor run tools", () => {
  it("the inspector offers Disabled, the pinned output and Test this node; Start has neither pin nor test", () => {
    const html = render("tpl", () => h(Inspector));
    expect(html).toContain('data-testid="node-disabled-toggle"');
    expect(html).toContain('data-testid="node-pin-output"');
    expect(html).toContain("pinned");
    expect(html).toContain('data-testid="node-test-open"');
    const startHtml = render("start", () => h(Inspector));
    expect(startHtml).not.toContain('data-testid="node-pin"');
    expect(startHtml).not.toContain('data-testid="node-test"');
    expect(/<input[^>]*data-testid="node-disabled-toggle"[^>]*>/.exec(startHtml)?.[0]).toMatch(/disabled=""/);
  });

  it("a disabled node is greyed with a badge; a pinned one says so; a diff mark colours the node", () => {
    const node = (store: ReturnType<typeof createEditorStore>, id: string) => {
      const n = store.getState().nodes.find((x) => x.id === id)!;
      return h(WeftNodeComponent, { id, data: n.data, selected: false, type: "weft", dragging: false, zIndex: 0, isConnectable: true, positionAbsoluteX: 0, positionAbsoluteY: 0, selectable: true, deletable: true, draggable: true });
    };
    const off = render(null, (s) => node(s, "off"));
    expect(off).toContain('data-disabled="true"');
    expect(off).toContain("grayscale");
    expect(off).toContain('data-testid="node-disabled-off"');
    expect(render(null, (s) => node(s, "tpl"))).toContain('data-testid="node-pinned-tpl"');
    const marked = render(null, (s) => {
      s.getState().setDiffMarks({ tpl: "changed" });
      return node(s, "tpl");
    });
    expect(marked).toContain('data-diff="changed"');
  });

  it("the diff list names added, removed and changed fields", () => {
    const before = base();
    const after = base();
    after.nodes = after.nodes.filter((n) => n.id !== "off").map((n) => (n.id === "tpl" ? { ...n, data: { ...n.data, template: "new" } } : n));
    after.nodes.push(template("extra", "x"));
    const html = renderToStaticMarkup(h(DiffList, { diff: diffGraphs(before, after) }));
    expect(html).toContain('data-testid="diff-added-extra"');
    expect(html).toContain('data-testid="diff-removed-off"');
    expect(html).toContain("data.template");
    expect(renderToStaticMarkup(h(DiffList, { diff: diffGraphs(before, before) }))).toContain("No differences.");
  });
});
