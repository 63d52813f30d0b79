import { describe, expect, it } from "vitest";
import type { Graph } from "@/lib/engine/graph";
import { upstreamFields } from "@/lib/engine/validate";
import { flowToGraph, graphToFlow } from "@/lib/editor/flow";
import { createEditorStore, currentGraph } from "@/lib/editor/store";
import { nodeRegistry } from "@/lib/nodes/registry";

const graph: Graph = {
  version: 1,
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
    { id: "end", type: "end", position: { x: 300, y: 0 }, data: { outputs: [{ name: "n", value: "{{ var.count }}" }] } },
  ],
  edges: [{ id: "e", source: "start", target: "end" }],
  variables: [{ name: "count", type: "number", default: 0 }],
};

describe("workflow variables in the editor", () => {
  it("survive the graph ↔ canvas round trip, and a graph without variables stays without", () => {
    expect(flowToGraph(graphToFlow(graph)).variables).toEqual(graph.variables);
    expect("variables" in flowToGraph(graphToFlow({ ...graph, variables: undefined }))).toBe(false);
  });

  it("are edited through the store and saved with the graph; the picker offers var.*", () => {
    const store = createEditorStore({ workflowId: "wf", name: "w", graph, revision: 0 });
    expect(store.getState().variables).toEqual(graph.variables);
    store.getState().setVariables([...store.getState().variables, { name: "items", type: "array" }]);
    const saved = currentGraph(store.getState());
    expect(saved.variables?.map((v) => v.name)).toEqual(["count", "items"]);
    expect(upstreamFields(saved, nodeRegistry, "end").filter((f) => f.nodeId === "var").map((f) => f.field)).toEqual(["count", "items"]);
  });
});
