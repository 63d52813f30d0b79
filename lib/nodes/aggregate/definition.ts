import { z } from "zod";
import { defineNode } from "@/lib/engine/node-kit";

export const AggregateConfigSchema = z.object({
  /** Variable paths (`billing.json`), checked in order; the first that has a value wins. */
  variables: z.array(z.string().max(500)).min(1).max(20),
});
export type AggregateConfig = z.infer<typeof AggregateConfigSchema>;

export const aggregateNode = defineNode({
  type: "aggregate",
  label: "Variable aggregator",
  description: "Picks the first value that exists among several variables: joins the outputs of if/else branches.",
  category: "logic",
  color: "#4d7c0f",
  configSchema: AggregateConfigSchema,
  defaultConfig: () => ({ variables: ["", ""] }),
  hasInput: true,
  pure: true,
  readsOptionalBranches: true,
  outputHandles: () => [{ id: "out", label: "" }],
  outputFields: () => [
    { name: "value", type: "any" as const, description: "The first variable that has a value (null if none has)" },
    { name: "source", type: "string" as const, description: "The path the value came from (empty if none)" },
  ],
  templates: () => [],
  // Plain paths, so the validator checks each names an upstream node's output.
  references: (config) => config.variables.filter(Boolean),
  check: (config) => {
    const problems: string[] = [];
    config.variables.forEach((v, i) => {
      if (!v) problems.push(`Variable ${i + 1}: choose a variable.`);
    });
    const seen = new Set<string>();
    for (const v of config.variables.filter(Boolean)) {
      if (seen.has(v)) problems.push(`${v} is listed twice.`);
      seen.add(v);
    }
    return problems;
  },
});
