import { describe, expect, it } from "vitest";
import { flowToGraph, graphToFlow } from "@/lib/editor/flow";
import { parseOutputJson, restoredDoc, setNodeDisabled, setNodePin } from "@/lib/editor/node-flags";
import { applyRunEvent, parseRunMessage, startOverlay } from "@/lib/editor/run-overlay";
import { createEditorStore, currentGraph } from "@/lib/editor/store";
import type { Graph } from "@/lib/engine/graph";
import { edge, end, graph, llm, start } from "./engine/fixtures";

const base = (): Graph =>
  JSON.parse(JSON.stringify(graph([start("start"), llm("llm_1", "Say {{ start.question }}"), end("end", { a: "{{ start.question }}" })], [edge("start", "llm_1"), edge("llm_1", "end")]))) as Graph;

describe("disable and pin in the editor document", () => {
  it("round-trips disabled and pin through the flow document", () => {
    const g = base();
    g.nodes[1] = { ...g.nodes[1]!, disabled: true, pin: { output: { text: "x" }, branch: "out" } };
    expect(flowToGraph(graphToFlow(g))).toEqual(g);
  });

  it("sets and clears the flags as document edits, leaving other nodes alone", () => {
    const doc = graphToFlow(base());
    const disabled = setNodeDisabled(doc, "llm_1", true);
    expect(disabled.nodes.find((n) => n.id === "llm_1")?.data.disabled).toBe(true);
    expect(disabled.nodes.find((n) => n.id === "end")).toBe(doc.nodes.find((n) => n.id === "end"));
    expect(setNodeDisabled(disabled, "llm_1", false).nodes.find((n) => n.id === "llm_1")?.data).not.toHaveProperty("disabled");
    const pinned = setNodePin(doc, "llm_1", { output: { text: "p" } });
    expect(flowToGraph(pinned).nodes[1]?.pin).toEqual({ output: { text: "p" } });
    expect(flowToGraph(setNodePin(pinned, "llm_1", undefined)).nodes[1]).not.toHaveProperty("pin");
    expect(setNodeDisabled(doc, "missing", true)).toBe(doc);
  });

  it("the store's restore replaces the draft with a version's graph (an ordinary change the autosave sends)", () => {
    const store = createEditorStore({ workflowId: "w", name: "W", graph: base(), revision: 3 });
    store.getState().selectNode("end");
    const v1 = base();
    v1.nodes = v1.nodes.filter((n) => n.id !== "llm_1");
    v1.edges = [edge("start", "end")];
    store.getState().restoreGraph(v1);
    expect(currentGraph(store.getState()).nodes.map((n) => n.id)).toEqual(["start", "end"]);
    expect(store.getState().nodes.find((n) => n.id === "end")?.selected).toBe(true);
    expect(restoredDoc(graphToFlow(base()), v1).edges).toHaveLength(1);
  });

  it("reads typed JSON outputs with clear messages", () => {
    expect(parseOutputJson('{"text": "hi"}')).toEqual({ ok: true, value: { text: "hi" } });
    expect(parseOutputJson("[1]")).toMatchObject({ ok: false, message: expect.stringMatching(/JSON object/) });
    expect(parseOutputJson("{nope")).toMatchObject({ ok: false, message: expect.stringMatching(/Not valid JSON/) });
  });

  it("the run overlay keeps a step's origin (pinned / disabled) from its event", () => {
    const message = parseRunMessage("step", JSON.stringify({ type: "step", nodeId: "llm_1", iteration: 0, status: "succeeded", output: { text: "p" }, origin: "pinned", at: "" }));
    expect(message?.kind).toBe("event");
    if (message?.kind !== "event") return;
    expect(applyRunEvent(startOverlay("r"), message.event).steps.llm_1?.origin).toBe("pinned");
  });
});
