import type { Graph, GraphEdge, GraphNode } from "@/lib/engine/graph";

/**
 * The semantic diff of two workflow graphs (two versions, or a version and the draft): which nodes
 * were added, removed, moved or changed (field by field, down to the changed leaf), which edges
 * were added or removed, and whether the workflow variables changed. Pure: the editor's Versions
 * panel computes it for highlighting, the diff route for the API.
 */

export interface FieldChange {
  /** Dotted path inside the node: `data.userPrompt`, `data.settings.retry.maxAttempts`, `disabled`, `parentId`. */
  path: string;
  before: unknown;
  after: unknown;
}

export interface NodeChange {
  id: string;
  type: string;
  title: string;
  /** Position moved (by more than half a pixel), with both positions. */
  moved?: { from: GraphNode["position"]; to: GraphNode["position"] };
  /** Settings and other fields that differ; empty when only the position changed. */
  fields: FieldChange[];
}

export interface NodeRef {
  id: string;
  type: string;
  title: string;
}

export interface EdgeRef {
  id: string;
  source: string;
  sourceHandle: string | null;
  target: string;
  targetHandle: string | null;
}

export interface GraphDiff {
  added: NodeRef[];
  removed: NodeRef[];
  changed: NodeChange[];
  edgesAdded: EdgeRef[];
  edgesRemoved: EdgeRef[];
  variables: FieldChange[];
  /** Nothing differs (pins are draft-only and never compared). */
  same: boolean;
}

const refOf = (node: GraphNode): NodeRef => {
  const title = typeof node.data.title === "string" && node.data.title.trim() ? node.data.title.trim() : node.id;
  return { id: node.id, type: node.type, title };
};

/** Edges compare by what they connect, not by their generated ids. */
const edgeKey = (e: GraphEdge) => `${e.source}\u0000${e.sourceHandle ?? "out"}\u0000${e.target}\u0000${e.targetHandle ?? ""}`;
const edgeRef = (e: GraphEdge): EdgeRef => ({ id: e.id, source: e.source, sourceHandle: e.sourceHandle ?? null, target: e.target, targetHandle: e.targetHandle ?? null });

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Leaf-level differences between two JSON values; arrays of different length or of non-objects compare whole. */
export function valueChanges(before: unknown, after: unknown, path: string, out: FieldChange[] = []): FieldChange[] {
  if (before === after) return out;
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of [...keys].sort()) valueChanges(before[key], after[key], path ? `${path}.${key}` : key, out);
    return out;
  }
  if (Array.isArray(before) && Array.isArray(after) && before.length === after.length && before.some(isPlainObject)) {
    before.forEach((item, i) => valueChanges(item, after[i], `${path}.${i}`, out));
    return out;
  }
  if (JSON.stringify(before) !== JSON.stringify(after)) out.push({ path, before, after });
  return out;
}

/** What a node is compared on: everything but its id, position and pin (position is reported as a move). */
function comparable(node: GraphNode): Record<string, unknown> {
  const { id: _id, position: _position, pin: _pin, ...rest } = node;
  return rest;
}

function nodeChange(before: GraphNode, after: GraphNode): NodeChange | null {
  const fields = valueChanges(comparable(before), comparable(after), "");
  const dx = Math.abs(before.position.x - after.position.x);
  const dy = Math.abs(before.position.y - after.position.y);
  const moved = dx > 0.5 || dy > 0.5 ? { from: before.position, to: after.position } : undefined;
  if (fields.length === 0 && !moved) return null;
  return { ...refOf(after), ...(moved ? { moved } : {}), fields };
}

export function diffGraphs(before: Graph, after: Graph): GraphDiff {
  const old = new Map(before.nodes.map((n) => [n.id, n] as const));
  const now = new Map(after.nodes.map((n) => [n.id, n] as const));
  const added = after.nodes.filter((n) => !old.has(n.id)).map(refOf);
  const removed = before.nodes.filter((n) => !now.has(n.id)).map(refOf);
  const changed = after.nodes.flatMap((n) => {
    const prior = old.get(n.id);
    const change = prior ? nodeChange(prior, n) : null;
    return change ? [change] : [];
  });
  const oldEdges = new Set(before.edges.map(edgeKey));
  const newEdges = new Set(after.edges.map(edgeKey));
  const edgesAdded = after.edges.filter((e) => !oldEdges.has(edgeKey(e))).map(edgeRef);
  const edgesRemoved = before.edges.filter((e) => !newEdges.has(edgeKey(e))).map(edgeRef);
  const variables = valueChanges(before.variables ?? [], after.variables ?? [], "variables");
  const same = added.length + removed.length + changed.length + edgesAdded.length + edgesRemoved.length + variables.length === 0;
  return { added, removed, changed, edgesAdded, edgesRemoved, variables, same };
}

export type DiffMark = "added" | "removed" | "changed" | "moved";

/** How the canvas colours each node for a diff: after-graph ids, plus removed ids (drawn from the before graph). */
export function diffHighlights(diff: GraphDiff): Map<string, DiffMark> {
  const marks = new Map<string, DiffMark>();
  for (const n of diff.added) marks.set(n.id, "added");
  for (const n of diff.removed) marks.set(n.id, "removed");
  for (const n of diff.changed) marks.set(n.id, n.fields.length > 0 ? "changed" : "moved");
  return marks;
}
