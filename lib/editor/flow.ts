import type { Edge, Node } from "@xyflow/react";
import type { Graph } from "@/lib/engine/graph";
import type { NodePin } from "@/lib/engine/pins";
import type { WorkflowVariable } from "@/lib/engine/variables";

/**
 * React Flow needs a renderer key in `type`; every Weft node is drawn by one component, so the
 * canvas uses a single key and the real node type travels in `data.kind`. This file is the only
 * place that converts between the stored Graph and React Flow's nodes and edges.
 */
export const WEFT_NODE = "weft";

export type WeftNodeData = {
  /** The node type from the registry (start, llm, …). */
  kind: string;
  /** The node's config, stored as the graph node's `data`. */
  config: Record<string, unknown>;
  /** The graph node's `disabled` flag and pinned output (node-flags.ts). */
  disabled?: boolean;
  pin?: NodePin;
};
export type WeftNode = Node<WeftNodeData, typeof WEFT_NODE>;
export type WeftEdge = Edge;

export interface FlowDoc {
  nodes: WeftNode[];
  edges: WeftEdge[];
  /** Workflow variables (graph-level, `{{ var.name }}`). */
  variables?: WorkflowVariable[];
}

/** Size of a new loop container on the canvas. */
export const CONTAINER_SIZE = { width: 560, height: 300 } as const;

export function graphToFlow(graph: Graph): FlowDoc {
  // React Flow needs a parent before its children in the list.
  const ordered = [...graph.nodes.filter((n) => !n.parentId), ...graph.nodes.filter((n) => n.parentId)];
  return {
    nodes: ordered.map((node) => ({
      id: node.id,
      type: WEFT_NODE,
      position: { x: node.position.x, y: node.position.y },
      data: { kind: node.type, config: node.data, ...(node.disabled ? { disabled: true } : {}), ...(node.pin ? { pin: node.pin } : {}) },
      // A loop's body: positions are relative to the loop, as in React Flow's sub-flows.
      ...(node.parentId ? { parentId: node.parentId } : {}),
      ...(node.width !== undefined && node.height !== undefined ? { width: node.width, height: node.height } : {}),
    })),
    ...(graph.variables?.length ? { variables: graph.variables } : {}),
    edges: graph.edges.map((edge) => ({
      id: edge.id,
      source: edge.source,
      target: edge.target,
      sourceHandle: edge.sourceHandle ?? null,
      targetHandle: edge.targetHandle ?? null,
    })),
  };
}

/** The stored shape; positions are rounded so tiny drags do not produce noisy saves. */
export function flowToGraph(doc: FlowDoc): Graph {
  return {
    version: 1,
    nodes: doc.nodes.map((node) => ({
      id: node.id,
      type: node.data.kind,
      position: { x: Math.round(node.position.x), y: Math.round(node.position.y) },
      data: node.data.config,
      ...(node.parentId ? { parentId: node.parentId } : {}),
      ...(node.data.disabled ? { disabled: true } : {}),
      ...(node.data.pin ? { pin: node.data.pin } : {}),
      // Only containers carry a size of their own (set when added, changed by resizing).
      ...(node.width !== undefined && node.height !== undefined ? { width: Math.round(node.width), height: Math.round(node.height) } : {}),
    })),
    ...(doc.variables?.length ? { variables: doc.variables } : {}),
    edges: doc.edges.map((edge) => ({
      id: edge.id,
      source: edge.source,
      target: edge.target,
      ...(edge.sourceHandle ? { sourceHandle: edge.sourceHandle } : {}),
      ...(edge.targetHandle ? { targetHandle: edge.targetHandle } : {}),
    })),
  };
}
