import { z } from "zod";
import { defineNode } from "@/lib/engine/node-kit";

export const SwitchCaseSchema = z.object({
  /** Also the id of this case's output handle. */
  id: z.string().regex(/^case_[a-z0-9]+$/),
  /** The case matches when the value equals any of these (one value = "equals", several = "is one of"). */
  values: z.array(z.string().max(1_000)).min(1).max(100),
});
export type SwitchCase = z.infer<typeof SwitchCaseSchema>;

export const SwitchConfigSchema = z.object({
  /** A variable path such as `classify.json.category`. */
  value: z.string().max(500),
  /** Checked in order: the first case that matches is taken, otherwise `default`. */
  cases: z.array(SwitchCaseSchema).min(1).max(50),
});
export type SwitchConfig = z.infer<typeof SwitchConfigSchema>;

export const DEFAULT_HANDLE_ID = "default";

/** "= billing" or "∈ a, b, c": the handle label. */
export function caseLabel(c: SwitchCase): string {
  const values = c.values.filter((v) => v !== "");
  if (values.length === 0) return "(empty)";
  const text = values.length === 1 ? `= ${values[0]}` : `∈ ${values.join(", ")}`;
  return text.length > 32 ? `${text.slice(0, 31)}…` : text;
}

export const switchNode = defineNode({
  type: "switch",
  label: "Switch",
  description: "Routes on one value: one branch per case (equals a value or one of a list), plus a default.",
  category: "logic",
  color: "#c2410c",
  configSchema: SwitchConfigSchema,
  defaultConfig: () => ({ value: "", cases: [{ id: "case_1", values: [""] }] }),
  hasInput: true,
  pure: true,
  outputHandles: (config) => [...config.cases.map((c) => ({ id: c.id, label: caseLabel(c) })), { id: DEFAULT_HANDLE_ID, label: "DEFAULT" }],
  outputFields: () => [
    { name: "case", type: "string" as const, description: "The id of the case taken (default when none matched)" },
    { name: "value", type: "any" as const, description: "The value that was switched on" },
  ],
  templates: () => [],
  references: (config) => (config.value ? [config.value] : []),
  check: (config) => {
    const problems: string[] = [];
    if (!config.value) problems.push("Choose the variable to switch on.");
    const ids = new Set<string>();
    const seen = new Map<string, number>();
    config.cases.forEach((c, index) => {
      if (ids.has(c.id)) problems.push(`Case ${index + 1} repeats the id ${c.id}.`);
      ids.add(c.id);
      for (const v of c.values) {
        const earlier = seen.get(v);
        if (earlier !== undefined && earlier !== index) problems.push(`Case ${index + 1}: "${v}" is already matched by case ${earlier + 1}, so it never applies here.`);
        else seen.set(v, index);
      }
    });
    return problems;
  },
});
