import { nodeOutputHandles } from "@/lib/engine/policy";
import type { NodeRegistry } from "@/lib/nodes/registry";
import { checkConnection, type ConnectionAttempt, type ConnectionCheck } from "./connect";
import { CONTAINER_SIZE, WEFT_NODE, type FlowDoc, type WeftEdge, type WeftNode } from "./flow";
import { nextEdgeId, nextNodeId } from "./ids";

/**
 * Pure edits of the editor document (React Flow nodes and edges). The zustand store calls these;
 * tests call them directly.
 */

export function toConnectGraph(doc: FlowDoc) {
  return { nodes: doc.nodes.map((n) => ({ id: n.id, kind: n.data.kind, parentId: n.parentId ?? null })), edges: doc.edges };
}

export function addNode(
  doc: FlowDoc,
  kind: string,
  position: { x: number; y: number },
  registry: NodeRegistry,
  /** A loop to put the node in; `position` is then relative to it. */
  parentId?: string,
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
    ...(parentId ? { parentId } : {}),
    ...(def.container ? { ...CONTAINER_SIZE } : {}),
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
  // A loop goes with its body.
  const gone = new Set(ids);
  for (const n of doc.nodes) if (n.parentId && gone.has(n.parentId)) gone.add(n.id);
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

/** Where a node is on the canvas (a body node's position is relative to its loop). */
export function absolutePosition(doc: FlowDoc, node: WeftNode): { x: number; y: number } {
  const parent = node.parentId ? doc.nodes.find((n) => n.id === node.parentId) : undefined;
  return parent ? { x: parent.position.x + node.position.x, y: parent.position.y + node.position.y } : node.position;
}

const sizeOf = (node: WeftNode) => ({
  width: node.width ?? node.measured?.width ?? CONTAINER_SIZE.width,
  height: node.height ?? node.measured?.height ?? CONTAINER_SIZE.height,
});

/** The (top-level) loop container under a canvas point, if any; loops are not nested. */
export function containerAt(doc: FlowDoc, point: { x: number; y: number }, registry: NodeRegistry, except?: string): string | undefined {
  let found: string | undefined;
  for (const node of doc.nodes) {
    if (node.parentId || node.id === except || !registry[node.data.kind]?.container) continue;
    const { width, height } = sizeOf(node);
    if (point.x >= node.position.x && point.x <= node.position.x + width && point.y >= node.position.y && point.y <= node.position.y + height) found = node.id;
  }
  return found;
}

/**
 * After a node was dragged: moved into a loop, it joins the loop's body; moved out of its loop,
 * it leaves it. Connections that would then cross the loop's border are removed (and counted,
 * so the canvas can say so). Loops themselves never go inside loops.
 */
export function reparentAfterDrag(doc: FlowDoc, id: string, registry: NodeRegistry): { doc: FlowDoc; removedEdges: number; parentId: string | null } | null {
  const node = doc.nodes.find((n) => n.id === id);
  if (!node || registry[node.data.kind]?.container) return null;
  const at = absolutePosition(doc, node);
  const width = node.measured?.width ?? 240;
  const height = node.measured?.height ?? 90;
  const target = containerAt(doc, { x: at.x + width / 2, y: at.y + height / 2 }, registry) ?? null;
  if (target === (node.parentId ?? null)) return null;
  const parent = target ? doc.nodes.find((n) => n.id === target)! : undefined;
  const moved: WeftNode = {
    ...node,
    position: parent ? { x: Math.round(at.x - parent.position.x), y: Math.round(at.y - parent.position.y) } : { x: Math.round(at.x), y: Math.round(at.y) },
  };
  if (target) moved.parentId = target;
  else delete moved.parentId;
  const others = doc.nodes.filter((n) => n.id !== id);
  // Parents before children, as React Flow wants.
  const nodes = target ? [...others, moved] : [moved, ...others];
  const levelOf = new Map(nodes.map((n) => [n.id, n.parentId ?? null] as const));
  const edges = doc.edges.filter((e) => levelOf.get(e.source) === levelOf.get(e.target));
  return { doc: { nodes, edges }, removedEdges: doc.edges.length - edges.length, parentId: target };
}
