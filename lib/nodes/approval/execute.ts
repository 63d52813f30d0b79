import { NodeError } from "@/lib/engine/errors";
import type { NodeResult, WaitResolution, WaitingNodeExecutor } from "@/lib/engine/node-kit";
import { StoredAnswerSchema, timeoutAtFrom } from "../wait-kit";
import { APPROVAL_HANDLES, ApprovalAnswerSchema, type ApprovalConfig, type ApprovalRequest } from "./definition";

/**
 * First execution: renders the request and waits (the run releases its worker). Executed again
 * once the wait is resolved: the decision picks the branch.
 */
export const executeApproval: WaitingNodeExecutor<ApprovalConfig> = async (ctx) => {
  if (ctx.resume) return approvalResult(ctx.config, ctx.resume);
  const request: ApprovalRequest = {
    title: await ctx.render(ctx.config.title),
    message: await ctx.render(ctx.config.message),
    assigneeRole: ctx.config.assigneeRole,
    onTimeout: ctx.config.timeout ? ctx.config.onTimeout : null,
  };
  return { wait: { kind: "approval", request, timeoutAt: timeoutAtFrom(ctx.config.timeout) }, input: request };
};

/** The step's result from how its wait ended. */
export function approvalResult(config: ApprovalConfig, resume: WaitResolution): NodeResult {
  if (resume.status === "cancelled") throw new NodeError("cancelled", "The approval was cancelled.");
  if (resume.status === "timed_out") {
    const branch = config.onTimeout === "approve" ? APPROVAL_HANDLES.approved : config.onTimeout === "reject" ? APPROVAL_HANDLES.rejected : APPROVAL_HANDLES.timeout;
    return {
      branch,
      output: { decision: branch, comment: "", decidedBy: null, decidedAt: resume.at, timedOut: true },
      detail: { resolution: "timed_out" },
    };
  }
  const stored = StoredAnswerSchema.safeParse(resume.response);
  const answer = stored.success ? ApprovalAnswerSchema.safeParse(stored.data.answer) : undefined;
  if (!stored.success || !answer?.success) throw new NodeError("internal", "The recorded decision could not be read.");
  const branch = answer.data.decision === "approve" ? APPROVAL_HANDLES.approved : APPROVAL_HANDLES.rejected;
  return {
    branch,
    output: { decision: branch, comment: answer.data.comment, decidedBy: stored.data.by.name, decidedAt: resume.at, timedOut: false },
    detail: { resolution: "answered", by: stored.data.by },
  };
}
