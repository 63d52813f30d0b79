import { waitForRunEnd } from "@/lib/api/wait";
import { NodeError } from "@/lib/engine/errors";
import { createAndEnqueueRun } from "@/lib/runs/service";
import { ServiceError } from "@/lib/services/errors";
import type { GraphSchema } from "@/lib/engine/graph";
import type { z } from "zod";
import type { ToolCallContext, ToolCallOutcome } from "../context";
import { TOOL_LIMITS, WorkflowToolConfigSchema } from "../schema";

/** The run that makes this call, read from the invocation's idempotency key (`runId:node:iteration:call`). */
function callerRunId(idempotencyKey: string): string | undefined {
  const first = idempotencyKey.split(":")[0];
  return first && /^[0-9a-f-]{36}$/i.test(first) ? first : undefined;
}

/**
 * The `workflow` kind: a run of the published version (the pinned one or the latest), created like
 * any API run and awaited within the tool's timeout; the output is the run's output. Each level
 * records its depth so a workflow calling itself through a tool stops at TOOL_LIMITS.maxWorkflowDepth.
 */
export async function callWorkflowTool(ctx: ToolCallContext): Promise<ToolCallOutcome> {
  const config = WorkflowToolConfigSchema.parse(ctx.tool.config);
  const version = await ctx.db.workflowVersion.findFirst({
    where: { workflowId: config.workflowId, workflow: { workspaceId: ctx.workspaceId }, ...(config.version ? { version: config.version } : {}) },
    orderBy: { version: "desc" },
    select: { id: true, version: true, graph: true, workflow: { select: { name: true } } },
  });
  if (!version) throw new NodeError("tool_error", `The workflow behind ${ctx.tool.name} is not published${config.version ? ` in version ${config.version}` : ""}.`);

  const parentId = callerRunId(ctx.idempotencyKey);
  const parent = parentId
    ? await ctx.db.run.findFirst({ where: { id: parentId, workspaceId: ctx.workspaceId }, select: { depth: true, createdById: true, apiKeyId: true, apiKeyName: true } })
    : null;
  const depth = (parent?.depth ?? 0) + 1;
  if (depth > TOOL_LIMITS.maxWorkflowDepth) {
    throw new NodeError("tool_error", `Workflow tools are nested more than ${TOOL_LIMITS.maxWorkflowDepth} deep; ${ctx.tool.name} was not started.`);
  }
  // Called from a run: the new run acts for that run's initiator (person or API key), like a sub-workflow.
  // Called outside a run (a tool test): for the tool's owner.
  const userId = parent ? parent.createdById : ctx.tool.ownerId;
  const member = { userId: userId ?? "", email: "", name: "", workspaceId: ctx.workspaceId, workspaceName: "", role: "owner" as const };
  let runId: string;
  try {
    ({ runId } = await createAndEnqueueRun(member, {
      workflowId: config.workflowId,
      workflowName: version.workflow.name,
      graph: version.graph as z.infer<typeof GraphSchema>,
      inputs: ctx.input,
      workflowVersionId: version.id,
      origin: { trigger: "tool", apiKeyId: parent?.apiKeyId, apiKeyName: parent?.apiKeyName },
    }, { endView: true }));
  } catch (error) {
    if (error instanceof ServiceError) {
      const problems = (error.details?.problems as { message?: string }[] | undefined)?.map((p) => p.message).join("; ");
      throw new NodeError("tool_error", `${error.message}${problems ? ` ${problems}` : ""}`, { cause: error });
    }
    throw error;
  }
  if (depth > 1) await ctx.db.run.update({ where: { id: runId }, data: { depth } });

  const run = await waitForRunEnd(ctx.workspaceId, runId, config.timeoutMs, ctx.signal);
  const detail = { runId, version: version.version, status: run?.status ?? "unknown" };
  if (!run || run.status === "queued" || run.status === "running" || run.status === "waiting") {
    if (ctx.signal.aborted) throw new NodeError("cancelled", "The run was cancelled.");
    throw new NodeError("tool_unavailable", `The workflow run ${runId} did not finish within ${config.timeoutMs / 1000} s.`, { retryable: false, trace: { detail } });
  }
  if (run.status !== "succeeded") {
    throw new NodeError("tool_error", `The workflow run ${run.status}: ${run.error?.message ?? "no reason given"}`, { trace: { detail } });
  }
  return { output: run.output, detail };
}
