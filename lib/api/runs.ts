import { db } from "@/lib/db/client";
import { pendingFirst, toWaitView, waitSelect } from "@/lib/runs/waits";
import type { RunView, RunWaitView } from "./schemas";

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null) => (d ? d.toISOString() : null);

/** A run with its steps as the public API shows it, or null when it is not in the workspace. */
export async function getRunView(workspaceId: string, runId: string): Promise<RunView | null> {
  const run = await db().run.findFirst({
    where: { id: runId, workspaceId },
    include: {
      workflowVersion: { select: { version: true } },
      steps: { orderBy: { startedAt: "asc" } },
      waits: { select: waitSelect, orderBy: [{ createdAt: "asc" }, { nodeId: "asc" }, { iteration: "asc" }] },
    },
  });
  if (!run) return null;
  return {
    id: run.id,
    workflowId: run.workflowId,
    workflowName: run.workflowName,
    version: run.workflowVersion?.version ?? null,
    status: run.status,
    inputs: run.inputs,
    output: run.output ?? null,
    error: (run.error as RunView["error"]) ?? null,
    usage: { promptTokens: run.promptTokens, completionTokens: run.completionTokens, totalTokens: run.totalTokens },
    createdAt: iso(run.createdAt),
    startedAt: isoOrNull(run.startedAt),
    finishedAt: isoOrNull(run.finishedAt),
    steps: run.steps.map((step) => ({
      nodeId: step.nodeId,
      nodeType: step.nodeType,
      iteration: step.iteration,
      status: step.status,
      output: step.output ?? null,
      error: (step.error as RunView["error"]) ?? null,
      branch: step.branch,
      totalTokens: step.totalTokens,
      startedAt: iso(step.startedAt),
      finishedAt: isoOrNull(step.finishedAt),
    })),
    // The request's shape is the node's (checked when it was written); the schema documents it.
    waits: pendingFirst(run.waits.map(toWaitView)) as RunWaitView[],
  };
}
