import type { FlowDoc } from "./flow";

/**
 * Whether two editor documents differ only in what validation and the variable picker ignore:
 * positions, sizes, selection and React Flow's measurements. A drag changes every frame's
 * node list; checking this (identity compares, linear) lets the validator and the inspector
 * skip the frame instead of re-deriving the graph from 1,000 nodes sixty times a second.
 */
export function sameStructure(a: FlowDoc, b: FlowDoc): boolean {
  if (a.edges !== b.edges || a.variables !== b.variables) return false;
  if (a.nodes === b.nodes) return true;
  if (a.nodes.length !== b.nodes.length) return false;
  for (let i = 0; i < a.nodes.length; i++) {
    const x = a.nodes[i];
    const y = b.nodes[i];
    if (x === y) continue;
    if (x.id !== y.id || x.data !== y.data || x.parentId !== y.parentId) return false;
  }
  return true;
}
