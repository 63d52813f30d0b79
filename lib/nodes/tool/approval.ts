import { NodeError } from "@/lib/engine/errors";
import type { WaitResolution } from "@/lib/engine/node-kit";
import { ApprovalAnswerSchema, type ApprovalRequest } from "../approval/definition";
import { StoredAnswerSchema } from "../wait-kit";

/**
 * The Human approval a tool that requires one (an MCP tool's per-tool setting) waits for before
 * each call: the Tool node as its step's own wait, the Agent as a wait held on its running step.
 * Any editor or above decides.
 */
export function approvalRequest(toolName: string, input: Record<string, unknown>): ApprovalRequest {
  return {
    title: `Allow a call of ${toolName}?`,
    message: `The tool ${toolName} requires a person's approval before each call. It will be called with:\n\n${JSON.stringify(input, null, 2).slice(0, 10_000)}`,
    assigneeRole: null,
    onTimeout: null,
  };
}

/** Why an approval wait did not allow the call, or null when it was approved. */
export function approvalRefusal(resume: Pick<WaitResolution, "status" | "response">): NodeError | null {
  if (resume.status === "cancelled") return new NodeError("cancelled", "The approval of the tool call was cancelled.");
  if (resume.status === "timed_out") return new NodeError("tool_error", "Nobody approved the tool call in time.", { retryable: false });
  const stored = StoredAnswerSchema.safeParse(resume.response);
  const answer = stored.success ? ApprovalAnswerSchema.safeParse(stored.data.answer) : undefined;
  if (!stored.success || !answer?.success) return new NodeError("internal", "The recorded decision could not be read.");
  if (answer.data.decision === "approve") return null;
  const comment = answer.data.comment ? `: ${answer.data.comment}` : ".";
  return new NodeError("tool_error", `${stored.data.by.name} rejected the tool call${comment}`, { retryable: false });
}
