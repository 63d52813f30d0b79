import { NodeError } from "@/lib/engine/errors";
import type { NodeExecutor, ValueType } from "@/lib/engine/node-kit";
import { resolveValueTemplate } from "@/lib/engine/template";
import { CODE_LIMITS, type CodeConfig } from "./definition";

/**
 * Resolves the declared inputs, runs the code through the `runCode` port (an isolated-vm
 * sandbox in a child process), and checks the result has the declared outputs with their types.
 */

function typeOf(value: unknown): ValueType {
  if (Array.isArray(value)) return "array";
  if (value === null) return "any";
  const t = typeof value;
  return t === "string" || t === "number" || t === "boolean" || t === "object" ? t : "any";
}

export const executeCode: NodeExecutor<CodeConfig> = async (ctx) => {
  const inputs: Record<string, unknown> = {};
  for (const { name, value } of ctx.config.inputs) inputs[name] = await resolveValueTemplate(value, ctx.scope);
  if (!ctx.services.runCode) throw new NodeError("internal", "The code sandbox is not available in this environment.", { trace: { input: inputs } });

  let response;
  try {
    response = await ctx.services.runCode({
      code: ctx.config.code,
      inputs,
      timeoutMs: ctx.config.timeoutMs,
      memoryMb: ctx.config.memoryMb,
      maxOutputBytes: CODE_LIMITS.maxOutputBytes,
      signal: ctx.signal,
    });
  } catch (error) {
    if (error instanceof NodeError) throw error.withTrace({ input: inputs });
    throw error;
  }
  const detail = { logs: response.logs, durationMs: response.durationMs };
  const problems: string[] = [];
  for (const output of ctx.config.outputs) {
    if (!Object.hasOwn(response.result, output.name)) {
      problems.push(`it has no "${output.name}"`);
      continue;
    }
    const actual = typeOf(response.result[output.name]);
    if (output.type !== "any" && actual !== "any" && actual !== output.type) problems.push(`"${output.name}" is a ${actual}, not a ${output.type}`);
  }
  if (problems.length > 0) {
    const keys = Object.keys(response.result).join(", ") || "nothing";
    throw new NodeError("code_error", `The returned object does not match the declared outputs: ${problems.join("; ")} (it returned: ${keys}).`, {
      trace: { input: inputs, detail: { ...detail, result: response.result } },
    });
  }
  return { output: response.result, input: inputs, detail };
};
