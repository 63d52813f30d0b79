import { NodeError } from "@/lib/engine/errors";
import type { NodeContext, NodeResult, NodeWait, WaitResolution } from "@/lib/engine/node-kit";
import { approvalRefusal, approvalRequest } from "./approval";
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
    if (!ctx.resume) return { wait: { kind: "approval", request: approvalRequest(tool.name, input) }, input };
    const refusal = approvalRefusal(ctx.resume);
    if (refusal) return toolFailed(ctx, refusal, tool.name, input, { tool: toolInfo, approval: ctx.resume.status });
  }
  let result;
  try {
    result = await port.call({
      toolId: tool.id,
      input,
      signal: ctx.signal,
      idempotencyKey: ctx.idempotencyKey,
      onProgress: (report) => ctx.emitDelta(progressLine(report)),
      step: { runId: ctx.runId, nodeId: ctx.nodeId, iteration: ctx.iteration, slot: "call" },
    });
  } catch (error) {
    // Cancellation always ends the step; a tool's own failure only when the node says so (the default).
    if (!(error instanceof NodeError)) throw error;
    return toolFailed(ctx, error, tool.name, input, { tool: toolInfo, ...(error.trace.detail ? { call: error.trace.detail } : {}) });
  }
  const output: Record<string, unknown> = { result: result.output };
  const object = result.output && typeof result.output === "object" && !Array.isArray(result.output) ? (result.output as Record<string, unknown>) : {};
  if (config.onToolError === "continue") output.error = null;
  for (const field of config.outputs) if (field.name !== "result" && field.name !== "error") output[field.name] = object[field.name] ?? null;
  // The server's sampling requests (MCP) cost tokens: they are the step's usage, their cost its cost (run-cost.ts reads detail.cost).
  const spent = result.cost ? { cost: result.cost } : {};
  return { output, input, detail: { tool: toolInfo, durationMs: result.durationMs, ...(result.detail ? { call: result.detail } : {}), ...spent }, ...(result.usage ? { usage: result.usage } : {}) };
}

/** A tool error: fails the step, or with `onToolError: "continue"` an empty result with the error and a warning. */
function toolFailed(ctx: NodeContext<ToolConfig>, error: NodeError, toolName: string, input: Record<string, unknown>, detail: Record<string, unknown>): NodeResult {
  if (ctx.config.onToolError !== "continue" || error.code === "cancelled" || ctx.signal.aborted) throw error.withTrace({ input, detail });
  const failure = { code: error.code, message: error.message };
  const output: Record<string, unknown> = { result: null, error: failure };
  for (const field of ctx.config.outputs) if (field.name !== "result" && field.name !== "error") output[field.name] = null;
  return { output, input, detail: { ...detail, error: failure, warnings: [{ ...failure, tool: toolName }] } };
}
