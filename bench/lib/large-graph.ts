import type { Graph, GraphEdge, GraphNode } from "@/lib/engine/graph";

/**
 * A valid workflow of `count` nodes for the editor's scale benchmark and end-to-end check:
 * Start, then a chain of Template nodes (each reading the one before) with a Condition every
 * tenth node whose IF and ELSE branches both lead on, then End; laid out in rows of 20, 300 px
 * apart, as auto layout would spread a long workflow.
 */
export function largeGraph(count: number): Graph {
  if (count < 3) throw new Error("a large graph has at least 3 nodes");
  const perRow = 20;
  const at = (i: number) => ({ x: (i % perRow) * 300, y: Math.floor(i / perRow) * 200 });
  const nodes: GraphNode[] = [
    { id: "start", type: "start", position: at(0), data: { inputs: [{ name: "text", label: "Text", type: "string", required: true, description: "" }] } },
  ];
  const edges: GraphEdge[] = [];
  let previous = "start";
  let previousField = "text";
  for (let i = 1; i < count - 1; i++) {
    const branching = i % 10 === 0;
    const id = branching ? `check_${i}` : `step_${i}`;
    nodes.push(
      branching
        ? {
            id,
            type: "condition",
            position: at(i),
            data: { cases: [{ id: "case_1", logic: "and", rules: [{ left: `${previous}.${previousField}`, operator: "contains", right: "a" }] }] },
          }
        : { id, type: "template", position: at(i), data: { template: `Step ${i}: {{ ${previous}.${previousField} }}`, format: "text" } },
    );
    const from = nodes[nodes.length - 2];
    if (from.type === "condition") {
      edges.push({ id: `e_${from.id}_if`, source: from.id, sourceHandle: "case_1", target: id });
      edges.push({ id: `e_${from.id}_else`, source: from.id, sourceHandle: "else", target: id });
    } else {
      edges.push({ id: `e_${from.id}`, source: from.id, target: id });
    }
    // A Condition publishes nothing to read on: the node after it reads the node before it.
    if (!branching) {
      previous = id;
      previousField = "text";
    }
  }
  const last = nodes[nodes.length - 1];
  nodes.push({ id: "end", type: "end", position: at(count - 1), data: { outputs: [{ name: "result", value: `{{ ${previous}.${previousField} }}` }] } });
  if (last.type === "condition") {
    edges.push({ id: `e_${last.id}_if`, source: last.id, sourceHandle: "case_1", target: "end" });
    edges.push({ id: `e_${last.id}_else`, source: last.id, sourceHandle: "else", target: "end" });
  } else {
    edges.push({ id: `e_${last.id}`, source: last.id, target: "end" });
  }
  return { version: 1, nodes, edges };
}
