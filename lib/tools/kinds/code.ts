import { NodeError } from "@/lib/engine/errors";
import type { ToolCallContext, ToolCallOutcome } from "../context";
import { CodeToolConfigSchema, TOOL_LIMITS } from "../schema";

/**
 * The `code` kind: the Code node's sandbox (isolated-vm in a child process, CPU and memory limits,
 * no require/process/files/network). The input object is `inputs`; the returned object is the output.
 * No network access: the sandbox protocol is one request and one reply, with no channel for a
 * bridged fetch (see docs/tools.md).
 */
export async function callCodeTool(ctx: ToolCallContext): Promise<ToolCallOutcome> {
  const config = CodeToolConfigSchema.parse(ctx.tool.config);
  if (!ctx.runCode) throw new NodeError("tool_unavailable", "The code sandbox is not available in this environment.");
  try {
    const response = await ctx.runCode({
      code: config.code,
      inputs: ctx.input,
      timeoutMs: config.timeoutMs,
      memoryMb: config.memoryMb,
      maxOutputBytes: TOOL_LIMITS.maxResponseBytes,
      signal: ctx.signal,
    });
    return { output: response.result, detail: { logs: response.logs, durationMs: response.durationMs } };
  } catch (error) {
    if (error instanceof NodeError && (error.code === "code_error" || error.code === "code_limit")) {
      throw new NodeError("tool_error", error.message, { cause: error, trace: error.trace });
    }
    throw error;
  }
}
