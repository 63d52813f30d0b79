import type { Graph } from "@/lib/engine/graph";
import { diffGraphs } from "@/lib/workflows/graph-patch";
import { sendGraphSave } from "./api";
import type { SaveResult } from "./autosave";

/**
 * From this many nodes, autosave sends what changed since the last save (PATCH, a few nodes)
 * instead of the whole graph (PUT, megabytes at a few thousand nodes): the request, its
 * validation and the database write then stay small however large the graph is.
 */
export const PATCH_SAVE_FROM_NODES = 200;

export function saveGraphChanges(workflowId: string, graph: Graph, revision: number, base: Graph): Promise<SaveResult> {
  if (Math.max(graph.nodes.length, base.nodes.length) < PATCH_SAVE_FROM_NODES) return sendGraphSave(workflowId, "PUT", { graph, revision });
  return sendGraphSave(workflowId, "PATCH", { revision, patch: diffGraphs(base, graph) });
}
