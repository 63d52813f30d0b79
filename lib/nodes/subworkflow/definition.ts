import { z } from "zod";
import { MAX_INT32 } from "@/lib/engine/limits";
import { defineNode, VALUE_TYPES } from "@/lib/engine/node-kit";

export const SubworkflowInputSchema = z.object({
  /** A Start input of the child workflow. */
  name: z.string().min(1).max(64),
  /** A template; a bare `{{ node.field }}` keeps its type (numbers, objects). */
  value: z.string().max(20_000).default(""),
  /** The child's declared type of this input, copied by the panel so references can be type-checked. */
  type: z.enum(VALUE_TYPES).optional(),
});

export const SubworkflowConfigSchema = z.object({
  /** A workflow of the same workspace; it runs as published, never as a draft. */
  workflowId: z.string().default(""),
  /** Pinned published version; null runs the latest published version at the time of the step. */
  version: z.number().int().min(1).max(MAX_INT32, "version is out of range").nullable().default(null),
  inputs: z.array(SubworkflowInputSchema).max(50).default([]),
});
export type SubworkflowConfig = z.infer<typeof SubworkflowConfigSchema>;

/** The response a resolved sub-workflow wait carries (written by lib/runs/subworkflows.ts). */
export const ChildOutcomeSchema = z.object({
  childRunId: z.string(),
  status: z.enum(["succeeded", "failed", "cancelled"]),
  output: z.record(z.string(), z.unknown()).nullish(),
  error: z.object({ code: z.string(), message: z.string() }).nullish(),
});
export type ChildOutcome = z.infer<typeof ChildOutcomeSchema>;

export const subworkflowNode = defineNode({
  type: "subworkflow",
  label: "Sub-workflow",
  description: "Runs another published workflow of this workspace as one step and returns its output.",
  category: "logic",
  color: "#4f46e5",
  configSchema: SubworkflowConfigSchema,
  defaultConfig: () => ({ workflowId: "", version: null, inputs: [] }),
  hasInput: true,
  outputHandles: () => [{ id: "out", label: "" }],
  outputFields: () => [
    { name: "output", type: "object" as const, description: "The child run's output (its End node values)" },
    { name: "runId", type: "string" as const, description: "The child run" },
  ],
  templates: (config) => config.inputs.map((i) => i.value),
  callsWorkflow: (config) => config.workflowId || undefined,
  typedReferences: (config) =>
    config.inputs.flatMap((i) => (i.type && i.type !== "any" ? [{ path: i.value, expects: [i.type], what: `the sub-workflow input "${i.name}"` }] : [])),
  check: (config) => {
    const problems: string[] = [];
    if (!config.workflowId) problems.push("Choose the workflow to run.");
    const names = config.inputs.map((i) => i.name);
    const twice = names.filter((n, i) => names.indexOf(n) !== i);
    if (twice.length > 0) problems.push(`The input ${twice[0]} is given twice.`);
    return problems;
  },
});
