import { z } from "zod";
import { defineNode, type ValueType } from "@/lib/engine/node-kit";

export const CONDITION_OPERATORS = [
  "equals",
  "not_equals",
  "contains",
  "not_contains",
  "starts_with",
  "ends_with",
  "greater_than",
  "greater_or_equal",
  "less_than",
  "less_or_equal",
  "is_empty",
  "is_not_empty",
] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

export const OPERATOR_LABELS: Record<ConditionOperator, string> = {
  equals: "equals",
  not_equals: "does not equal",
  contains: "contains",
  not_contains: "does not contain",
  starts_with: "starts with",
  ends_with: "ends with",
  greater_than: ">",
  greater_or_equal: "≥",
  less_than: "<",
  less_or_equal: "≤",
  is_empty: "is empty",
  is_not_empty: "is not empty",
};

const NUMERIC_OPERATORS: ReadonlySet<ConditionOperator> = new Set(["greater_than", "greater_or_equal", "less_than", "less_or_equal"]);

/** The value types each operator can work on (absent: any value). */
const RULE_TYPES: Partial<Record<ConditionOperator, ValueType[]>> = {
  greater_than: ["number", "string"],
  greater_or_equal: ["number", "string"],
  less_than: ["number", "string"],
  less_or_equal: ["number", "string"],
  contains: ["string", "array", "object"],
  not_contains: ["string", "array", "object"],
  starts_with: ["string", "number"],
  ends_with: ["string", "number"],
};

/** Operators that compare against nothing. */
export const UNARY_OPERATORS: ReadonlySet<ConditionOperator> = new Set(["is_empty", "is_not_empty"]);

export const ConditionRuleSchema = z.object({
  /** A variable path such as `start.age` (picked, not typed as a template). */
  left: z.string(),
  operator: z.enum(CONDITION_OPERATORS),
  /** A template, so the right side can be a literal or {{ another.value }}. */
  right: z.string().max(10_000).default(""),
});
export type ConditionRule = z.infer<typeof ConditionRuleSchema>;

export const ConditionCaseSchema = z.object({
  /** Also the id of this case's output handle. */
  id: z.string().regex(/^case_[a-z0-9]+$/),
  logic: z.enum(["and", "or"]).default("and"),
  rules: z.array(ConditionRuleSchema).max(20),
});
export type ConditionCase = z.infer<typeof ConditionCaseSchema>;

export const ConditionConfigSchema = z.object({
  /** Checked in order: the first case that holds is taken, otherwise `else`. */
  cases: z.array(ConditionCaseSchema).min(1).max(20),
});
export type ConditionConfig = z.infer<typeof ConditionConfigSchema>;

export const ELSE_HANDLE = "else";

export const conditionNode = defineNode({
  type: "condition",
  label: "Condition",
  description: "If / else-if / else: takes the first branch whose rules hold.",
  category: "logic",
  color: "#ea580c",
  configSchema: ConditionConfigSchema,
  defaultConfig: () => ({ cases: [{ id: "case_1", logic: "and" as const, rules: [{ left: "", operator: "equals" as const, right: "" }] }] }),
  hasInput: true,
  pure: true,
  outputHandles: (config) => [
    ...config.cases.map((c, index) => ({ id: c.id, label: index === 0 ? "IF" : `ELIF ${index}` })),
    { id: ELSE_HANDLE, label: "ELSE" },
  ],
  outputFields: () => [{ name: "branch", type: "string" as const, description: "The id of the branch taken" }],
  templates: (config) => config.cases.flatMap((c) => c.rules.map((r) => r.right)),
  references: (config) => config.cases.flatMap((c) => c.rules.map((r) => r.left)).filter(Boolean),
  // Numeric comparisons also take numeral strings ("42"); contains works on text, lists and object keys.
  typedReferences: (config) =>
    config.cases.flatMap((c) =>
      c.rules.flatMap((r) => {
        const expects = RULE_TYPES[r.operator];
        if (!expects || !r.left) return [];
        const what = `the rule "${OPERATOR_LABELS[r.operator]}"`;
        const refs = [{ path: r.left, expects, what }];
        if (NUMERIC_OPERATORS.has(r.operator)) refs.push({ path: r.right, expects, what: `the right side of ${what}` });
        return refs;
      }),
    ),
  check: (config) => {
    const problems: string[] = [];
    const ids = new Set<string>();
    config.cases.forEach((c, index) => {
      const name = index === 0 ? "IF" : `ELIF ${index}`;
      if (ids.has(c.id)) problems.push(`Branch ${name} repeats the id ${c.id}.`);
      ids.add(c.id);
      if (c.rules.length === 0) problems.push(`Branch ${name} has no rule.`);
      c.rules.forEach((rule, ruleIndex) => {
        if (!rule.left) problems.push(`Branch ${name}, rule ${ruleIndex + 1}: choose a variable to compare.`);
      });
    });
    return problems;
  },
});
