import { nodeOutputHandles } from "@/lib/engine/policy";
import type { NodeRegistry } from "@/lib/nodes/registry";
import { checkConnection, type ConnectionAttempt, type ConnectionCheck } from "./connect";
import { WEFT_NODE, type FlowDoc, type WeftEdge, type WeftNode } from "./flow";
import { nextEdgeId, nextNodeId } from "./ids";

/**
 * Pure edits of the editor document (React Flow nodes and edges). The zustand store calls these;
 * tests call them directly.
 */

export function toConnectGraph(doc: FlowDoc) {
  return { nodes: doc.nodes.map((n) => ({ id: n.id, kind: n.data.kind })), edges: doc.edges };
}

export function addNode(
  doc: FlowDoc,
  kind: string,
  position: { x: number; y: number },
  registry: NodeRegistry,
): { doc: FlowDoc; id: string } {
  const def = registry[kind];
  if (!def) throw new Error(`Unknown node type: ${kind}`);
  const id = nextNodeId(kind, doc.nodes.map((n) => n.id));
  const node: WeftNode = {
    id,
    type: WEFT_NODE,
    position: { x: Math.round(position.x), y: Math.round(position.y) },
    data: { kind, config: def.defaultConfig() as Record<string, unknown> },
    selected: true,
  };
  const nodes = doc.nodes.map((n) => (n.selected ? { ...n, selected: false } : n));
  return { doc: { ...doc, nodes: [...nodes, node] }, id };
}

/** Where a click-added node goes: right of the right-most node, so it never lands on another one. */
export function nextFreePosition(doc: FlowDoc): { x: number; y: number } {
  if (doc.nodes.length === 0) return { x: 80, y: 120 };
  const rightMost = doc.nodes.reduce((a, b) => (b.position.x > a.position.x ? b : a));
  return { x: rightMost.position.x + 300, y: rightMost.position.y };
}

export function connect(doc: FlowDoc, attempt: ConnectionAttempt, registry: NodeRegistry): { doc: FlowDoc; check: ConnectionCheck } {
  const check = checkConnection(toConnectGraph(doc), attempt, registry);
  if (!check.ok || !attempt.source || !attempt.target) return { doc, check };
  const edge: WeftEdge = {
    id: nextEdgeId(attempt.source, attempt.sourceHandle, attempt.target, doc.edges.map((e) => e.id)),
    source: attempt.source,
    target: attempt.target,
    sourceHandle: attempt.sourceHandle ?? null,
    targetHandle: attempt.targetHandle ?? null,
  };
  return { doc: { ...doc, edges: [...doc.edges, edge] }, check };
}

export function removeNodes(doc: FlowDoc, ids: readonly string[]): FlowDoc {
  const gone = new Set(ids);
  return {
    nodes: doc.nodes.filter((n) => !gone.has(n.id)),
    edges: doc.edges.filter((e) => !gone.has(e.source) && !gone.has(e.target)),
  };
}

export function removeEdges(doc: FlowDoc, ids: readonly string[]): FlowDoc {
  const gone = new Set(ids);
  return { ...doc, edges: doc.edges.filter((e) => !gone.has(e.id)) };
}

/**
 * The handle ids a node currently offers (the error handle included when its On error setting
 * takes the error branch), or null when its config is too broken to tell.
 */
function handleIds(node: WeftNode, registry: NodeRegistry): Set<string> | null {
  const def = registry[node.data.kind];
  if (!def) return null;
  const parsed = def.configSchema.safeParse(node.data.config);
  if (!parsed.success) {
    try {
      def.outputHandles(node.data.config);
    } catch {
      return null;
    }
  }
  return new Set(nodeOutputHandles(def, node.data.config).map((h) => h.id));
}

/** Replaces a node's config; edges leaving a handle that no longer exists (a removed branch) go too. */
export function updateConfig(doc: FlowDoc, id: string, config: Record<string, unknown>, registry: NodeRegistry): FlowDoc {
  let updated: WeftNode | undefined;
  const nodes = doc.nodes.map((n) => {
    if (n.id !== id) return n;
    updated = { ...n, data: { ...n.data, config } };
    return updated;
  });
  if (!updated) return doc;
  const handles = handleIds(updated, registry);
  const edges = handles
    ? doc.edges.filter((e) => e.source !== id || handles.has(e.sourceHandle ?? "out") || (handles.size === 1 && !e.sourceHandle))
    : doc.edges;
  return { nodes, edges };
}

/** Selects exactly one node (or none), as clicking it on the canvas would. */
export function selectNode(doc: FlowDoc, id: string | null): FlowDoc {
  return {
    nodes: doc.nodes.map((n) => {
      const selected = n.id === id;
      return Boolean(n.selected) === selected ? n : { ...n, selected };
    }),
    edges: doc.edges.map((e) => (e.selected ? { ...e, selected: false } : e)),
  };
}

export function selectedNodeId(doc: FlowDoc): string | null {
  const selected = doc.nodes.filter((n) => n.selected);
  return selected.length === 1 ? selected[0].id : null;
}

/** Moves the given nodes (an auto-layout result); nodes not in the map stay where they are. */
export function setPositions(doc: FlowDoc, positions: ReadonlyMap<string, { x: number; y: number }>): FlowDoc {
  return {
    ...doc,
    nodes: doc.nodes.map((n) => {
      const position = positions.get(n.id);
      return position ? { ...n, position: { x: Math.round(position.x), y: Math.round(position.y) } } : n;
    }),
  };
}
