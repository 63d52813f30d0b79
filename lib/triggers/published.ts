import { latestPublishedGraph } from "@/lib/api/workflows";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { ServiceError, notFound } from "@/lib/services/errors";

/** Triggers start the latest published version: creating one for a never-published workflow is refused (409). */
export async function requirePublished(workspaceId: string, workflowId: string): Promise<Graph> {
  const graph = await latestPublishedGraph(workspaceId, workflowId);
  if (!graph) throw new ServiceError("conflict", "Publish the workflow before adding webhooks or schedules: they run its latest published version.");
  return graph;
}

/** The member's workspace's workflow (404 for anyone else's): every trigger route is under one. */
export async function workflowOf(member: Member, workflowId: string): Promise<{ id: string; name: string }> {
  const workflow = await db().workflow.findFirst({ where: { id: workflowId, workspaceId: member.workspaceId }, select: { id: true, name: true } });
  if (!workflow) throw notFound("Workflow");
  return workflow;
}
