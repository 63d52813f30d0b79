import { z } from "zod";
import { defineNode, VALUE_TYPES } from "@/lib/engine/node-kit";

const NAME = /^[A-Za-z_$][A-Za-z0-9_$-]{0,127}$/;

export const ToolNodeInputSchema = z.object({
  /** A top-level property of the tool's input schema. */
  name: z.string().regex(NAME),
  /** Template; a bare {{ node.field }} keeps its type, other text is converted to the property's type. */
  value: z.string().max(100_000).default(""),
  /** Copied from the tool's schema when the tool was chosen, so the validator can ask for it. */
  required: z.boolean().default(false),
});

export const ToolConfigSchema = z.object({
  toolId: z.string().max(200).default(""),
  /** The tool's name when it was chosen, shown on the canvas (the id is what runs). */
  toolName: z.string().max(200).default(""),
  inputs: z.array(ToolNodeInputSchema).max(100).default([]),
  /** Top-level properties of the tool's output schema, published beside `result`. */
  outputs: z.array(z.object({ name: z.string().regex(NAME), type: z.enum(VALUE_TYPES).default("any") })).max(100).default([]),
  /**
   * What a tool error does: fail the step (the default: a run never ends "succeeded" with a failed
   * call hidden inside), or go on with `result: null` and `error`, the step and run showing a warning.
   */
  onToolError: z.enum(["fail", "continue"]).default("fail"),
});
export type ToolConfig = z.infer<typeof ToolConfigSchema>;

export const toolNode = defineNode({
  type: "tool",
  label: "Tool",
  description: "Calls one workspace tool (HTTP, OpenAPI, code, MCP, workflow) with inputs from templates.",
  category: "ai",
  color: "#b45309",
  configSchema: ToolConfigSchema,
  defaultConfig: () => ({ toolId: "", toolName: "", inputs: [], outputs: [], onToolError: "fail" as const }),
  hasInput: true,
  outputHandles: () => [{ id: "out", label: "" }],
  outputFields: (config) => [
    { name: "result", type: "any" as const, description: "What the tool returned" },
    ...(config.onToolError === "continue" ? [{ name: "error", type: "object" as const, description: "The tool's error ({ code, message }) when it failed, else null" }] : []),
    ...config.outputs.filter((o) => o.name !== "result").map((o) => ({ name: o.name, type: o.type })),
  ],
  templates: (config) => config.inputs.map((i) => i.value),
  check: (config) => {
    const problems: string[] = [];
    if (!config.toolId) problems.push("Choose a tool.");
    for (const input of config.inputs) if (input.required && !input.value.trim()) problems.push(`The tool needs a value for "${input.name}".`);
    return problems;
  },
});
