import { NodeError } from "@/lib/engine/errors";
import type { NodeResult, WaitingNodeExecutor } from "@/lib/engine/node-kit";
import type { SubworkflowRun } from "@/lib/engine/ports";
import { resolveValueTemplate } from "@/lib/engine/template";
import { ChildOutcomeSchema, type ChildOutcome, type SubworkflowConfig } from "./definition";

function finish(outcome: ChildOutcome, input: unknown): NodeResult {
  if (outcome.status === "succeeded") {
    return { output: { output: outcome.output ?? {}, runId: outcome.childRunId }, input, detail: { childRunId: outcome.childRunId } };
  }
  const reason = outcome.status === "cancelled" ? "was cancelled" : `failed: ${outcome.error?.message ?? "no reason given"}`;
  throw new NodeError("subworkflow_error", `The sub-workflow run ${outcome.childRunId} ${reason}`, {
    trace: { input, detail: { childRunId: outcome.childRunId, childError: outcome.error ?? null } },
  });
}

const finished = (child: SubworkflowRun): child is SubworkflowRun & { status: ChildOutcome["status"] } =>
  child.status === "succeeded" || child.status === "failed" || child.status === "cancelled";

/**
 * Starts the child run (once per step: the port finds an existing child) and waits for it without
 * holding a worker; when the child ends, its outcome resolves the wait and the step runs again
 * with `ctx.resume`, succeeding with the child's output or failing with `subworkflow_error`.
 */
export const executeSubworkflow: WaitingNodeExecutor<SubworkflowConfig> = async (ctx) => {
  if (ctx.resume) {
    if (ctx.resume.status !== "answered") {
      throw new NodeError("subworkflow_error", `The wait for the sub-workflow run ended: ${ctx.resume.status.replace("_", " ")}.`);
    }
    const outcome = ChildOutcomeSchema.safeParse(ctx.resume.response);
    if (!outcome.success) throw new NodeError("internal", "The sub-workflow's outcome could not be read.");
    return finish(outcome.data, { childRunId: outcome.data.childRunId });
  }
  const port = ctx.services.subworkflows;
  if (!port) throw new NodeError("internal", "Sub-workflows are not available in this worker.");
  const inputs: Record<string, unknown> = {};
  for (const { name, value } of ctx.config.inputs) inputs[name] = await resolveValueTemplate(value, ctx.scope);
  const child = await port.start({
    workflowId: ctx.config.workflowId,
    ...(ctx.config.version !== null ? { version: ctx.config.version } : {}),
    inputs,
    parentRunId: ctx.runId,
    parentNodeId: ctx.nodeId,
    parentIteration: ctx.iteration,
  });
  const input = { workflow: child.workflowName, version: child.version, inputs, childRunId: child.childRunId };
  // A child that already ended (the step ran again after a crash) needs no wait.
  if (finished(child)) return finish({ childRunId: child.childRunId, status: child.status, output: child.output, error: child.error }, input);
  return {
    wait: {
      kind: "subworkflow",
      request: { childRunId: child.childRunId, workflowId: ctx.config.workflowId, workflowName: child.workflowName, version: child.version },
      childRunId: child.childRunId,
    },
    input,
    detail: { childRunId: child.childRunId },
  };
};
