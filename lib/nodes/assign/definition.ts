import { z } from "zod";
import { defineNode, type TypedReference } from "@/lib/engine/node-kit";

export const ASSIGN_OPERATIONS = ["set", "append", "increment", "clear"] as const;
export type AssignOperation = (typeof ASSIGN_OPERATIONS)[number];

export const ASSIGN_OPERATION_LABELS: Record<AssignOperation, string> = {
  set: "set to",
  append: "append",
  increment: "increase by",
  clear: "clear",
};

export const AssignmentSchema = z.object({
  /** A workflow variable declared on the graph (`graph.variables`). */
  variable: z.string(),
  operation: z.enum(ASSIGN_OPERATIONS).default("set"),
  /** `expression`: JSONata over the run scope; `template`: Liquid (a bare `{{ a.b }}` keeps its type). */
  mode: z.enum(["expression", "template"]).default("expression"),
  /** The value (set, append) or the amount (increment; empty = 1); unused by clear. */
  value: z.string().max(20_000).default(""),
});
export type Assignment = z.infer<typeof AssignmentSchema>;

export const AssignConfigSchema = z.object({
  /** Applied in order; a later assignment sees the values set by earlier ones. */
  assignments: z.array(AssignmentSchema).min(1).max(50),
});
export type AssignConfig = z.infer<typeof AssignConfigSchema>;

/** Whether the assignment reads its value (clear does not; increment may use the default of 1). */
export const usesValue = (a: Assignment): boolean => a.operation !== "clear" && (a.operation !== "increment" || a.value.trim() !== "");

export const assignNode = defineNode({
  type: "assign",
  label: "Variable assign",
  description: "Sets, appends to, increments or clears workflow variables; later nodes read them as {{ var.name }}.",
  category: "logic",
  color: "#0d9488",
  configSchema: AssignConfigSchema,
  defaultConfig: () => ({ assignments: [{ variable: "", operation: "set" as const, mode: "expression" as const, value: "" }] }),
  hasInput: true,
  pure: true,
  assignsVariables: true,
  outputHandles: () => [{ id: "out", label: "" }],
  // The new value of each variable it sets (types come from the declarations, checked by the validator).
  outputFields: (config) => [...new Set(config.assignments.map((a) => a.variable).filter(Boolean))].map((name) => ({ name, type: "any" as const })),
  templates: (config) => config.assignments.filter((a) => a.mode === "template" && usesValue(a)).map((a) => a.value),
  expressions: (config) => config.assignments.filter((a) => a.mode === "expression" && usesValue(a)).map((a) => a.value),
  // Naming the target as a reference makes the validator report undeclared variables.
  references: (config) => config.assignments.map((a) => a.variable).filter(Boolean).map((name) => `var.${name}`),
  // A value that is one plain reference is type-checked against the variable's declared type.
  typedReferences: (config) =>
    config.assignments.flatMap((a): TypedReference[] => {
      if (!a.variable) return [];
      const target = `var.${a.variable}`;
      switch (a.operation) {
        case "set":
          return [{ path: a.value, expects: { sameAs: target }, what: `the value for ${target}` }];
        case "increment":
          return [
            { path: target, expects: ["number"], what: `"increase by" on ${target}` },
            { path: a.value, expects: ["number"], what: `the amount added to ${target}` },
          ];
        case "append":
          return [{ path: target, expects: ["array", "string"], what: `"append" on ${target}` }];
        case "clear":
          return [];
      }
    }),
  check: (config) => {
    const problems: string[] = [];
    config.assignments.forEach((a, index) => {
      const which = `Assignment ${index + 1}`;
      if (!a.variable) problems.push(`${which} has no variable chosen.`);
      if ((a.operation === "set" || a.operation === "append") && !a.value.trim()) problems.push(`${which} has no value.`);
    });
    return problems;
  },
});
