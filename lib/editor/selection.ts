import type { FlowDoc } from "./flow";

/** Multi-selection helpers for copy, delete, select all and the context menu. */

/** The selected nodes' ids, in document order. */
export function selectedNodeIds(doc: Pick<FlowDoc, "nodes">): string[] {
  return doc.nodes.filter((n) => n.selected).map((n) => n.id);
}

/** Selects exactly these nodes (and no edges); untouched objects keep their identity. */
export function selectNodes(doc: FlowDoc, ids: Iterable<string>): FlowDoc {
  const chosen = new Set(ids);
  const nodesChange = doc.nodes.some((n) => Boolean(n.selected) !== chosen.has(n.id));
  const edgesChange = doc.edges.some((e) => e.selected);
  return {
    ...doc,
    nodes: nodesChange ? doc.nodes.map((n) => (Boolean(n.selected) === chosen.has(n.id) ? n : { ...n, selected: chosen.has(n.id) })) : doc.nodes,
    edges: edgesChange ? doc.edges.map((e) => (e.selected ? { ...e, selected: false } : e)) : doc.edges,
  };
}
