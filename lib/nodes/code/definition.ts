import { z } from "zod";
import { defineNode, VALUE_TYPES } from "@/lib/engine/node-kit";
import { SANDBOX_LIMITS } from "@/lib/sandbox/limits";

const NAME = /^[a-zA-Z_][a-zA-Z0-9_]{0,63}$/;
const nameSchema = z.string().regex(NAME, "names are letters, digits and _, starting with a letter");

export const CODE_LIMITS = {
  ...SANDBOX_LIMITS,
  maxCodeChars: 100_000,
  /** The result must fit in a step's output (1 MiB). */
  maxOutputBytes: 512 * 1024,
} as const;

export const CodeConfigSchema = z.object({
  /** Values handed to main(inputs): name → template; a bare {{ node.field }} keeps its type. */
  inputs: z.array(z.object({ name: nameSchema, value: z.string().max(10_000) })).max(50).default([]),
  /** JavaScript: `function main(inputs) { … return { … } }`, or just the body of main. */
  code: z.string().max(CODE_LIMITS.maxCodeChars),
  /** Keys of the returned object, declared so the variable picker and validator know them. */
  outputs: z.array(z.object({ name: nameSchema, type: z.enum(VALUE_TYPES).default("any") })).max(50).default([]),
  timeoutMs: z.number().int().min(10).max(CODE_LIMITS.maxTimeoutMs).default(CODE_LIMITS.defaultTimeoutMs),
  memoryMb: z.number().int().min(CODE_LIMITS.minMemoryMb).max(CODE_LIMITS.maxMemoryMb).default(CODE_LIMITS.defaultMemoryMb),
});
export type CodeConfig = z.infer<typeof CodeConfigSchema>;

export const DEFAULT_CODE = `function main(inputs) {
  // inputs holds the values declared above; return an object whose keys are the outputs below.
  return { result: inputs.text };
}`;

export const codeNode = defineNode({
  type: "code",
  label: "Code",
  description: "Runs JavaScript in a sandbox (no network, files or environment) and publishes the object it returns.",
  category: "logic",
  color: "#334155",
  configSchema: CodeConfigSchema,
  defaultConfig: () => ({
    inputs: [{ name: "text", value: "" }],
    code: DEFAULT_CODE,
    outputs: [{ name: "result", type: "any" as const }],
    timeoutMs: CODE_LIMITS.defaultTimeoutMs,
    memoryMb: CODE_LIMITS.defaultMemoryMb,
  }),
  hasInput: true,
  sideEffectFree: true,
  outputHandles: () => [{ id: "out", label: "" }],
  outputFields: (config) => config.outputs.map((o) => ({ name: o.name, type: o.type })),
  templates: (config) => config.inputs.map((i) => i.value),
  check: (config) => {
    const problems: string[] = [];
    if (!config.code.trim()) problems.push("The code is empty.");
    if (config.outputs.length === 0) problems.push("Declare at least one output (a key of the object the code returns).");
    for (const [what, list] of [
      ["Input", config.inputs],
      ["Output", config.outputs],
    ] as const) {
      const seen = new Set<string>();
      for (const item of list) {
        if (seen.has(item.name)) problems.push(`${what} "${item.name}" is declared twice.`);
        seen.add(item.name);
      }
    }
    return problems;
  },
});
