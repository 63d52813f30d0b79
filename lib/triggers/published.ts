import { latestPublishedGraph } from "@/lib/api/workflows";
import type { Graph } from "@/lib/engine/graph";
import { ServiceError } from "@/lib/services/errors";

/** Triggers start the latest published version: creating one for a never-published workflow is refused (409). */
export async function requirePublished(workspaceId: string, workflowId: string): Promise<Graph> {
  const graph = await latestPublishedGraph(workspaceId, workflowId);
  if (!graph) throw new ServiceError("conflict", "Publish the workflow before adding webhooks or schedules: they run its latest published version.");
  return graph;
}
