import { NodeError } from "@/lib/engine/errors";
import { LIMITS } from "@/lib/engine/limits";
import type { NodeContext } from "@/lib/engine/node-kit";
import { StoredAnswerSchema } from "../wait-kit";
import { approvalRefusal, approvalRequest } from "../tool/approval";
import type { AgentToolCallRecord } from "./trace";

export type ApprovalRecord = NonNullable<AgentToolCallRecord["approval"]>;

/**
 * An Agent's call of a tool that requires a person's approval: the loop cannot be parked (its
 * conversation lives in memory), so the step keeps running and holds an approval wait open
 * (lib/runs/held-waits.ts), listed in the Inbox and on the run page like the Tool node's, for at
 * most LIMITS.agentApprovalTimeoutMs. Approved: the call runs. Rejected or timed out: the call is
 * not made and the model is told why. A cancelled run ends the step.
 */
export async function approveToolCall<C>(
  ctx: NodeContext<C>,
  toolName: string,
  args: Record<string, unknown>,
  callIndex: number,
): Promise<{ refusal: NodeError | null; approval: ApprovalRecord }> {
  const port = ctx.services.heldWaits;
  if (!port) {
    const message = `The tool "${toolName}" requires a person's approval before each call, and nobody can be asked here.`;
    return { refusal: new NodeError("tool_error", message, { retryable: false }), approval: { status: "unavailable" } };
  }
  ctx.emitDelta(`\n[${toolName}: waiting for a person's approval]\n`);
  const resolution = await port.hold({
    step: { runId: ctx.runId, nodeId: ctx.nodeId, iteration: ctx.iteration, slot: `approval-${callIndex}` },
    kind: "approval",
    request: approvalRequest(toolName, args) as unknown as Record<string, unknown>,
    timeoutMs: LIMITS.agentApprovalTimeoutMs,
    signal: ctx.signal,
  });
  const refusal = approvalRefusal(resolution);
  if (refusal?.code === "cancelled") throw refusal;
  const stored = StoredAnswerSchema.safeParse(resolution.response);
  const answer = stored.success ? (stored.data.answer as { decision?: unknown; comment?: unknown }) : {};
  const approval: ApprovalRecord = {
    status: resolution.status,
    ...(typeof answer.decision === "string" ? { decision: answer.decision } : {}),
    ...(stored.success ? { by: stored.data.by.name } : {}),
    ...(typeof answer.comment === "string" && answer.comment ? { comment: answer.comment } : {}),
  };
  ctx.emitDelta(`[${toolName}: ${refusal ? "not approved" : "approved"}]\n`);
  return { refusal, approval };
}
