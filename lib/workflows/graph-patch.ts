import { z } from "zod";
import { GraphEdgeSchema, GraphNodeSchema, NodeIdSchema, type Graph, type GraphEdge, type GraphNode } from "@/lib/engine/graph";
import { LIMITS, MAX_INT32 } from "@/lib/engine/limits";
import { WorkflowVariableSchema } from "@/lib/engine/variables";

/**
 * A change of a draft graph against the revision it was made on: nodes and edges added or
 * changed (by id, whole), removed (by id), and the workflow variables when they changed. The
 * editor's autosave sends this instead of the whole graph once a graph is large
 * (lib/editor/save-graph.ts); the server applies it to the stored graph in one transaction
 * (lib/workflows/patch.ts). Isomorphic: browser and server share it.
 */

export const GraphPatchSchema = z
  .object({
    upsertNodes: z.array(GraphNodeSchema).max(LIMITS.maxGraphNodes).default([]),
    removeNodes: z.array(NodeIdSchema).max(LIMITS.maxGraphNodes).default([]),
    upsertEdges: z.array(GraphEdgeSchema).max(LIMITS.maxGraphEdges).default([]),
    removeEdges: z.array(z.string().min(1)).max(LIMITS.maxGraphEdges).default([]),
    /** The whole variable list, when it changed. */
    variables: z.array(WorkflowVariableSchema).max(100).optional(),
  })
  .strict();
export type GraphPatch = z.infer<typeof GraphPatchSchema>;

export const PatchGraphSchema = z.object({
  revision: z.number().int().min(0).max(MAX_INT32, "revision is out of range"),
  patch: GraphPatchSchema,
});

/** Same content (positions rounded by the editor already); `data` compared by identity first, it is usually shared. */
function sameNode(a: GraphNode, b: GraphNode): boolean {
  return (
    a.type === b.type &&
    a.position.x === b.position.x &&
    a.position.y === b.position.y &&
    a.parentId === b.parentId &&
    a.width === b.width &&
    a.height === b.height &&
    (a.data === b.data || JSON.stringify(a.data) === JSON.stringify(b.data))
  );
}

const sameEdge = (a: GraphEdge, b: GraphEdge) =>
  a.source === b.source && a.target === b.target && (a.sourceHandle ?? null) === (b.sourceHandle ?? null) && (a.targetHandle ?? null) === (b.targetHandle ?? null);

function diffById<T extends { id: string }>(base: readonly T[], next: readonly T[], same: (a: T, b: T) => boolean): { upsert: T[]; remove: string[] } {
  const before = new Map(base.map((item) => [item.id, item] as const));
  const upsert = next.filter((item) => {
    const old = before.get(item.id);
    return !old || !same(old, item);
  });
  const kept = new Set(next.map((item) => item.id));
  return { upsert, remove: base.filter((item) => !kept.has(item.id)).map((item) => item.id) };
}

/** The patch that turns `base` into `next`; linear in the graph. */
export function diffGraphs(base: Graph, next: Graph): GraphPatch {
  const nodes = diffById(base.nodes, next.nodes, sameNode);
  const edges = diffById(base.edges, next.edges, sameEdge);
  const variablesChanged = JSON.stringify(base.variables ?? []) !== JSON.stringify(next.variables ?? []);
  return {
    upsertNodes: nodes.upsert,
    removeNodes: nodes.remove,
    upsertEdges: edges.upsert,
    removeEdges: edges.remove,
    ...(variablesChanged ? { variables: next.variables ?? [] } : {}),
  };
}

export const patchSize = (patch: GraphPatch) => patch.upsertNodes.length + patch.removeNodes.length + patch.upsertEdges.length + patch.removeEdges.length;

function duplicate(ids: readonly string[]): string | undefined {
  const seen = new Set<string>();
  return ids.find((id) => (seen.has(id) ? true : (seen.add(id), false)));
}

function applyById<T extends { id: string }>(items: readonly T[], upsert: readonly T[], remove: readonly string[], what: string): T[] | string {
  const index = new Map(items.map((item, i) => [item.id, i] as const));
  const twice = duplicate([...upsert.map((item) => item.id), ...remove]);
  if (twice !== undefined) return `The patch names the ${what} "${twice}" twice.`;
  const missing = remove.find((id) => !index.has(id));
  if (missing !== undefined) return `The patch removes the ${what} "${missing}", which the saved graph does not have.`;
  const result: (T | null)[] = [...items];
  for (const item of upsert) {
    const at = index.get(item.id);
    if (at === undefined) result.push(item);
    else result[at] = item;
  }
  const gone = new Set(remove);
  return result.filter((item): item is T => item !== null && !gone.has(item.id));
}

/**
 * Applies a patch; a message when it does not fit the graph (an id named twice, a removal of
 * something that is not there). The result still has to pass GraphSchema (limits included).
 */
export function applyGraphPatch(base: Graph, patch: GraphPatch): { ok: true; graph: Graph } | { ok: false; message: string } {
  const nodes = applyById(base.nodes, patch.upsertNodes, patch.removeNodes, "node");
  if (typeof nodes === "string") return { ok: false, message: nodes };
  const edges = applyById(base.edges, patch.upsertEdges, patch.removeEdges, "edge");
  if (typeof edges === "string") return { ok: false, message: edges };
  const variables = patch.variables ?? base.variables;
  return { ok: true, graph: { version: 1, nodes, edges, ...(variables?.length ? { variables } : {}) } };
}
