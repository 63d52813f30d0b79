import { z } from "zod";
import { GraphEdgeSchema, GraphNodeSchema, type GraphEdge, type GraphNode } from "@/lib/engine/graph";
import type { NodeRegistry } from "@/lib/nodes/registry";
import { absolutePosition } from "./doc";
import { graphToFlow, type FlowDoc, type WeftNode } from "./flow";
import { isValidNodeId, nextEdgeId, nextNodeId } from "./ids";
import { renameConfigReferences } from "./references";

/**
 * Copy and paste of nodes. The clipboard holds plain graph nodes and edges (the stored format),
 * so it travels as JSON through the system clipboard to another workflow or tab. Pure functions:
 * the system clipboard itself is components/editor/use-clipboard.ts.
 */

export const NodeClipboardSchema = z.object({
  weft: z.literal("nodes"),
  version: z.literal(1),
  nodes: z.array(GraphNodeSchema).min(1).max(5_000),
  edges: z.array(GraphEdgeSchema).max(20_000),
});
export type NodeClipboard = z.infer<typeof NodeClipboardSchema>;

/** How far a paste without a pointer moves from the copied place, until nothing is underneath. */
export const PASTE_OFFSET = 40;

/**
 * The given nodes (a loop with its body) and the edges between them. A body node copied without
 * its loop leaves the loop: its position becomes absolute.
 */
export function copyNodes(doc: FlowDoc, ids: readonly string[]): NodeClipboard | null {
  const picked = new Set(ids);
  for (const n of doc.nodes) if (n.parentId && picked.has(n.parentId)) picked.add(n.id);
  const chosen = doc.nodes.filter((n) => picked.has(n.id));
  if (chosen.length === 0) return null;
  const toGraphNode = (n: WeftNode): GraphNode => {
    const keepsParent = n.parentId !== undefined && picked.has(n.parentId);
    const position = keepsParent ? n.position : absolutePosition(doc, n);
    return {
      id: n.id,
      type: n.data.kind,
      position: { x: Math.round(position.x), y: Math.round(position.y) },
      data: structuredClone(n.data.config),
      ...(keepsParent ? { parentId: n.parentId } : {}),
      ...(n.width !== undefined && n.height !== undefined ? { width: Math.round(n.width), height: Math.round(n.height) } : {}),
    };
  };
  const nodes = chosen.map(toGraphNode);
  // Parents before children, as React Flow wants.
  nodes.sort((a, b) => Number(a.parentId !== undefined) - Number(b.parentId !== undefined));
  const edges: GraphEdge[] = doc.edges
    .filter((e) => picked.has(e.source) && picked.has(e.target))
    .map((e) => ({ id: e.id, source: e.source, target: e.target, ...(e.sourceHandle ? { sourceHandle: e.sourceHandle } : {}), ...(e.targetHandle ? { targetHandle: e.targetHandle } : {}) }));
  return { weft: "nodes", version: 1, nodes, edges };
}

export const serializeClipboard = (clip: NodeClipboard): string => JSON.stringify(clip);

/** The clipboard in `text`, or null when the text is something else. */
export function parseClipboard(text: string | null | undefined): NodeClipboard | null {
  if (!text || !text.trimStart().startsWith("{")) return null;
  try {
    const parsed = NodeClipboardSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** New ids for the pasted nodes: the copied id when it is free, else the next free one of its type. */
function allocateIds(doc: FlowDoc, nodes: readonly GraphNode[]): Map<string, string> {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const ids = new Map<string, string>();
  for (const node of nodes) {
    const id = !taken.has(node.id) && isValidNodeId(node.id) ? node.id : nextNodeId(node.type, taken);
    taken.add(id);
    ids.set(node.id, id);
  }
  return ids;
}

/** The shift of the pasted top-level nodes: to the pointer, or offset until no node sits there already. */
function pasteShift(doc: FlowDoc, tops: readonly GraphNode[], at?: { x: number; y: number }): { x: number; y: number } {
  const minX = Math.min(...tops.map((n) => n.position.x));
  const minY = Math.min(...tops.map((n) => n.position.y));
  if (at) return { x: Math.round(at.x - minX), y: Math.round(at.y - minY) };
  const occupied = (dx: number, dy: number) =>
    tops.some((t) => doc.nodes.some((n) => !n.parentId && Math.abs(n.position.x - (t.position.x + dx)) < 10 && Math.abs(n.position.y - (t.position.y + dy)) < 10));
  let step = 0;
  while (step < 50 && occupied(step * PASTE_OFFSET, step * PASTE_OFFSET)) step++;
  return { x: step * PASTE_OFFSET, y: step * PASTE_OFFSET };
}

/**
 * Adds the clipboard's nodes and edges: ids renamed where taken, references among the pasted
 * nodes rewritten to the new ids, placed at `at` (canvas point of the top-left) or offset.
 * Pasted nodes become the selection. Node types this editor does not know are left out.
 */
export function pasteNodes(doc: FlowDoc, clip: NodeClipboard, registry: NodeRegistry, at?: { x: number; y: number }): { doc: FlowDoc; ids: string[] } {
  const known = clip.nodes.filter((n) => registry[n.type] && (!n.parentId || clip.nodes.some((p) => p.id === n.parentId)));
  if (known.length === 0) return { doc, ids: [] };
  const ids = allocateIds(doc, known);
  const renamed = new Map([...ids].filter(([from, to]) => from !== to));
  const shift = pasteShift(doc, known.filter((n) => !n.parentId), at);
  const graphNodes: GraphNode[] = known.map((n) => ({
    ...n,
    id: ids.get(n.id)!,
    position: n.parentId ? n.position : { x: n.position.x + shift.x, y: n.position.y + shift.y },
    data: renameConfigReferences(registry[n.type], structuredClone(n.data), renamed),
    ...(n.parentId ? { parentId: ids.get(n.parentId)! } : {}),
  }));
  const takenEdges = new Set(doc.edges.map((e) => e.id));
  const graphEdges: GraphEdge[] = [];
  for (const e of clip.edges) {
    const source = ids.get(e.source);
    const target = ids.get(e.target);
    if (!source || !target) continue;
    const id = nextEdgeId(source, e.sourceHandle, target, takenEdges);
    takenEdges.add(id);
    graphEdges.push({ ...e, id, source, target });
  }
  const added = graphToFlow({ version: 1, nodes: graphNodes, edges: graphEdges });
  const nodes = [
    ...doc.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)),
    ...added.nodes.map((n) => ({ ...n, selected: true })),
  ];
  const edges = [...doc.edges.map((e) => (e.selected ? { ...e, selected: false } : e)), ...added.edges];
  return { doc: { ...doc, nodes, edges }, ids: graphNodes.map((n) => n.id) };
}
