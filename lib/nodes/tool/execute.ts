import { NodeError } from "@/lib/engine/errors";
import type { NodeContext, NodeResult, NodeWait, WaitResolution } from "@/lib/engine/node-kit";
import { StoredAnswerSchema } from "../wait-kit";
import { ApprovalAnswerSchema, type ApprovalRequest } from "../approval/definition";
import type { ToolProgress } from "@/lib/engine/ports";
import { resolveValueTemplate } from "@/lib/engine/template";
import { coerceValue } from "../extractor/execute";
import type { ToolConfig } from "./definition";

/** A progress report as a line of the running step's live text ("2/3 Indexing…"). */
export function progressLine(report: ToolProgress): string {
  const amount = report.total !== undefined ? `${report.progress}/${report.total}` : `${report.progress}`;
  return `${amount}${report.message ? ` ${report.message}` : ""}\n`;
}

const SCALAR_TYPES = new Set(["number", "boolean", "array", "object"]);

/** The JSON Schema type of a top-level input property ("integer" counts as number). */
function propertyType(schema: Record<string, unknown>, name: string): string | undefined {
  const properties = schema.properties as Record<string, { type?: unknown }> | undefined;
  const type = properties?.[name]?.type;
  return type === "integer" ? "number" : typeof type === "string" ? type : undefined;
}

/**
 * Calls one tool through the workspace's tool registry (services.tools). Inputs are templates;
 * text is converted to the property's declared type ("42" for a number), so a form of text
 * fields can feed any schema; the registry validates the result against the schema. Inputs left
 * empty are not sent (optional properties).
 */
export async function executeTool(ctx: NodeContext<ToolConfig>): Promise<NodeResult | NodeWait> {
  const { config } = ctx;
  if (!config.toolId) throw new NodeError("invalid_input", "The Tool node has no tool chosen.");
  const port = ctx.services.tools;
  if (!port) throw new NodeError("internal", "The tool registry is not available in this environment.", { retryable: false });
  const [tool] = await port.describe([config.toolId]);
  if (!tool) throw new NodeError("tool_not_found", `Tool ${config.toolId} does not exist in this workspace.`);

  const input: Record<string, unknown> = {};
  for (const { name, value } of config.inputs) {
    if (!value.trim()) continue;
    const resolved = await resolveValueTemplate(value, ctx.scope);
    const type = propertyType(tool.inputSchema, name);
    input[name] =
      type && SCALAR_TYPES.has(type)
        ? coerceValue(resolved, type as "number" | "boolean" | "array" | "object")
        : type === "string" && (typeof resolved === "number" || typeof resolved === "boolean")
          ? String(resolved)
          : resolved;
  }

  const toolInfo = { id: tool.id, name: tool.name, kind: tool.kind };
  if (tool.requiresApproval) {
    // First execution: wait for a person (the run releases its worker). Executed again once decided.
    if (!ctx.resume) return approvalWait(tool.name, input);
    const refusal = approvalRefusal(ctx.resume);
    if (refusal) return toolFailed(ctx, refusal, tool.name, input, { tool: toolInfo, approval: ctx.resume.status });
  }
  let result;
  try {
    result = await port.call({ toolId: tool.id, input, signal: ctx.signal, idempotencyKey: ctx.idempotencyKey, onProgress: (report) => ctx.emitDelta(progressLine(report)) });
  } catch (error) {
    // Cancellation always ends the step; a tool's own failure only when the node says so (the default).
    if (!(error instanceof NodeError)) throw error;
    return toolFailed(ctx, error, tool.name, input, { tool: toolInfo, ...(error.trace.detail ? { call: error.trace.detail } : {}) });
  }
  const output: Record<string, unknown> = { result: result.output };
  const object = result.output && typeof result.output === "object" && !Array.isArray(result.output) ? (result.output as Record<string, unknown>) : {};
  if (config.onToolError === "continue") output.error = null;
  for (const field of config.outputs) if (field.name !== "result" && field.name !== "error") output[field.name] = object[field.name] ?? null;
  return { output, input, detail: { tool: toolInfo, durationMs: result.durationMs, ...(result.detail ? { call: result.detail } : {}) } };
}

/** The Human-approval wait before a call of a tool that requires one (any editor or above decides). */
function approvalWait(toolName: string, input: Record<string, unknown>): NodeWait {
  const request: ApprovalRequest = {
    title: `Allow a call of ${toolName}?`,
    message: `The tool ${toolName} requires a person's approval before each call. It will be called with:\n\n${JSON.stringify(input, null, 2).slice(0, 10_000)}`,
    assigneeRole: null,
    onTimeout: null,
  };
  return { wait: { kind: "approval", request }, input };
}

/** Why an approval wait did not allow the call, or null when it was approved. */
function approvalRefusal(resume: WaitResolution): NodeError | null {
  if (resume.status === "cancelled") return new NodeError("cancelled", "The approval of the tool call was cancelled.");
  if (resume.status === "timed_out") return new NodeError("tool_error", "Nobody approved the tool call in time.", { retryable: false });
  const stored = StoredAnswerSchema.safeParse(resume.response);
  const answer = stored.success ? ApprovalAnswerSchema.safeParse(stored.data.answer) : undefined;
  if (!stored.success || !answer?.success) return new NodeError("internal", "The recorded decision could not be read.");
  if (answer.data.decision === "approve") return null;
  const comment = answer.data.comment ? `: ${answer.data.comment}` : ".";
  return new NodeError("tool_error", `${stored.data.by.name} rejected the tool call${comment}`, { retryable: false });
}

/** A tool error: fails the step, or with `onToolError: "continue"` an empty result with the error and a warning. */
function toolFailed(ctx: NodeContext<ToolConfig>, error: NodeError, toolName: string, input: Record<string, unknown>, detail: Record<string, unknown>): NodeResult {
  if (ctx.config.onToolError !== "continue" || error.code === "cancelled" || ctx.signal.aborted) throw error.withTrace({ input, detail });
  const failure = { code: error.code, message: error.message };
  const output: Record<string, unknown> = { result: null, error: failure };
  for (const field of ctx.config.outputs) if (field.name !== "result" && field.name !== "error") output[field.name] = null;
  return { output, input, detail: { ...detail, error: failure, warnings: [{ ...failure, tool: toolName }] } };
}
