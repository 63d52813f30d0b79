import { NodeError } from "@/lib/engine/errors";
import { evaluateExpression } from "@/lib/engine/expression";
import type { NodeExecutor } from "@/lib/engine/node-kit";
import { resolveValueTemplate } from "@/lib/engine/template";
import { describeType, matchesType, typeDefault, VARIABLE_SCOPE_KEY, type WorkflowVariable } from "@/lib/engine/variables";
import type { AssignConfig, Assignment } from "./definition";

function fail(message: string): never {
  throw new NodeError("output_invalid", message);
}

function nextValue(a: Assignment, declared: WorkflowVariable, current: unknown, value: unknown): unknown {
  const name = `var.${declared.name}`;
  switch (a.operation) {
    case "clear":
      return typeDefault(declared.type);
    case "set":
      return value;
    case "increment": {
      const by = value === undefined ? 1 : value;
      if (typeof by !== "number" || !Number.isFinite(by)) fail(`Cannot increase ${name} by ${describeType(by)}; the amount must be a number.`);
      if (typeof current !== "number") fail(`Cannot increase ${name}: it holds ${describeType(current)}, not a number.`);
      return current + by;
    }
    case "append":
      if (Array.isArray(current)) return [...current, value];
      if (typeof current === "string") {
        if (typeof value !== "string") fail(`Cannot append ${describeType(value)} to the text in ${name}.`);
        return current + value;
      }
      if (current === null && declared.type === "any") return [value];
      return fail(`Cannot append to ${name}: it holds ${describeType(current)}; append works on arrays and text.`);
  }
}

/**
 * Applies the assignments in order, each seeing the values set by the ones before. The output is
 * the new value of each variable set; the engine overlays it on `var` for later steps.
 */
export const executeAssign: NodeExecutor<AssignConfig> = async (ctx) => {
  const declared = new Map((ctx.variables ?? []).map((v) => [v.name, v] as const));
  let variables = { ...((ctx.scope[VARIABLE_SCOPE_KEY] as Record<string, unknown> | undefined) ?? {}) };
  const output: Record<string, unknown> = {};
  const applied: { variable: string; operation: string; value: unknown }[] = [];
  for (const a of ctx.config.assignments) {
    const variable = declared.get(a.variable);
    if (!variable) fail(`The workflow has no variable "${a.variable}"; declare it in the Variables panel.`);
    const scope = { ...ctx.scope, [VARIABLE_SCOPE_KEY]: variables };
    let value: unknown;
    if (a.operation !== "clear" && a.value.trim()) {
      value =
        a.mode === "expression"
          ? await evaluateExpression(a.value, scope, { signal: ctx.signal })
          : await resolveValueTemplate(a.value, scope);
      if (value === undefined && a.operation !== "increment") {
        fail(`The value for var.${a.variable} is empty: the expression selected nothing.`);
      }
    }
    const next = nextValue(a, variable, variables[a.variable], value);
    if (!matchesType(next, variable.type)) {
      fail(`var.${a.variable} is declared as ${variable.type}, but the new value is ${describeType(next)}.`);
    }
    variables = { ...variables, [a.variable]: next };
    output[a.variable] = next;
    applied.push({ variable: a.variable, operation: a.operation, value: next });
  }
  return { output, input: { assignments: applied } };
};
