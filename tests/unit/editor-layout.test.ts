import { describe, expect, it } from "vitest";
import { graphToFlow } from "@/lib/editor/flow";
import { layoutPositions } from "@/lib/editor/layout";
import { nodeRegistry } from "@/lib/nodes/registry";
import type { Graph } from "@/lib/engine/graph";

const at = { x: 0, y: 0 };
const rule = { left: "start.x", operator: "equals", right: "1" };
const graph: Graph = {
  version: 1,
  nodes: [
    { id: "start", type: "start", position: at, data: { inputs: [] } },
    { id: "condition", type: "condition", position: at, data: { cases: [{ id: "case_1", logic: "and", rules: [rule] }, { id: "case_2", logic: "and", rules: [rule] }] } },
    { id: "a", type: "template", position: at, data: { template: "a" } },
    { id: "b", type: "template", position: at, data: { template: "b" } },
    { id: "c", type: "template", position: at, data: { template: "c" } },
    { id: "end", type: "end", position: at, data: { outputs: [] } },
  ],
  edges: [
    { id: "1", source: "start", target: "condition", sourceHandle: "out" },
    // Deliberately listed out of branch order.
    { id: "2", source: "condition", target: "c", sourceHandle: "else" },
    { id: "3", source: "condition", target: "a", sourceHandle: "case_1" },
    { id: "4", source: "condition", target: "b", sourceHandle: "case_2" },
    { id: "5", source: "a", target: "end", sourceHandle: "out" },
    { id: "6", source: "b", target: "end", sourceHandle: "out" },
    { id: "7", source: "c", target: "end", sourceHandle: "out" },
  ],
};

describe("auto-layout", () => {
  it("lays the graph out left to right with branches in IF / ELIF / ELSE order and no overlaps", async () => {
    const positions = await layoutPositions(graphToFlow(graph), nodeRegistry);
    const p = (id: string) => positions.get(id)!;
    expect(positions.size).toBe(6);
    expect(p("start").x).toBeLessThan(p("condition").x);
    for (const id of ["a", "b", "c"]) {
      expect(p("condition").x).toBeLessThan(p(id).x);
      expect(p(id).x).toBeLessThan(p("end").x);
    }
    expect(p("a").y).toBeLessThan(p("b").y);
    expect(p("b").y).toBeLessThan(p("c").y);
    // Branch targets share a column and are at least a node height apart.
    expect(p("b").y - p("a").y).toBeGreaterThanOrEqual(90);
  });

  it("handles an empty graph and edges to missing nodes", async () => {
    expect((await layoutPositions({ nodes: [], edges: [] }, nodeRegistry)).size).toBe(0);
    const flow = graphToFlow({ ...graph, edges: [...graph.edges, { id: "x", source: "a", target: "ghost" }] });
    expect((await layoutPositions(flow, nodeRegistry)).size).toBe(6);
  });
});
