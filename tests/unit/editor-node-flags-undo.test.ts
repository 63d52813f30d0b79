import { describe, expect, it } from "vitest";
import { DocHistory } from "@/lib/editor/doc-history";
import { createEditorStore, currentGraph } from "@/lib/editor/store";
import { edge, end, graph, start, template } from "./engine/fixtures";

describe("editor-run edits are undoable", () => {
  it("disable, pin and restore each undo", () => {
    const g = graph([start("start"), template("tpl", "x"), end("end", { a: "{{ start.question }}" })], [edge("start", "tpl"), edge("tpl", "end")]);
    const store = createEditorStore({ workflowId: "w", name: "W", graph: g, revision: 0 });
    const pending: (() => void)[] = [];
    let now = 0;
    const history = new DocHistory(store, { now: () => now, afterTask: (cb) => pending.push(cb) });
    const end_ = () => { pending.splice(0).forEach((c) => c()); now += 5000; };
    store.getState().setDisabled("tpl", true); end_();
    store.getState().setPin("tpl", { output: { text: "p" } }); end_();
    store.getState().restoreGraph({ ...g, nodes: g.nodes.filter((n) => n.id !== "tpl"), edges: [edge("start", "end")] }); end_();
    expect(currentGraph(store.getState()).nodes.map((n) => n.id)).toEqual(["start", "end"]);
    history.undo(); end_();
    expect(currentGraph(store.getState()).nodes.find((n) => n.id === "tpl")).toMatchObject({ disabled: true, pin: { output: { text: "p" } } });
    history.undo(); end_();
    expect(currentGraph(store.getState()).nodes.find((n) => n.id === "tpl")?.pin).toBeUndefined();
    history.undo(); end_();
    expect(currentGraph(store.getState()).nodes.find((n) => n.id === "tpl")?.disabled).toBeUndefined();
  });
});
