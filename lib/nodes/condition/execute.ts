import type { NodeExecutor } from "@/lib/engine/node-kit";
import { ELSE_HANDLE, UNARY_OPERATORS, type ConditionConfig, type ConditionOperator } from "./definition";

/**
 * If / else-if / else. Values keep their types: a number on the left compares numerically with
 * the right side's text, a string compares as text, arrays support contains.
 */

/** A finite number from a number or a numeral string ("42", " 3.5 "), else undefined. */
function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && value.trim() !== "") {
    const n = Number(value);
    return Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

function toText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "object") return JSON.stringify(value) ?? "";
  return String(value);
}

function equalsText(left: unknown, right: string): boolean {
  if (typeof left === "number") return toNumber(right) === left;
  if (typeof left === "boolean") return right.trim().toLowerCase() === String(left);
  return toText(left) === right;
}

function isEmpty(value: unknown): boolean {
  if (value === null || value === undefined || value === "") return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value === "object") return Object.keys(value).length === 0;
  return false;
}

function contains(left: unknown, right: string): boolean {
  if (typeof left === "string") return left.includes(right);
  if (Array.isArray(left)) return left.some((item) => equalsText(item, right));
  // An object "contains" one of its keys.
  if (typeof left === "object" && left !== null) return Object.hasOwn(left, right);
  return false;
}

function compare(left: unknown, right: string, test: (l: number, r: number) => boolean): boolean {
  const l = toNumber(left);
  const r = toNumber(right);
  return l !== undefined && r !== undefined && test(l, r);
}

const isTextLike = (value: unknown): value is string | number => typeof value === "string" || typeof value === "number";

export function evaluateRule(operator: ConditionOperator, left: unknown, right: string): boolean {
  switch (operator) {
    case "equals":
      return equalsText(left, right);
    case "not_equals":
      return !equalsText(left, right);
    case "contains":
      return contains(left, right);
    case "not_contains":
      return !contains(left, right);
    case "starts_with":
      return isTextLike(left) && String(left).startsWith(right);
    case "ends_with":
      return isTextLike(left) && String(left).endsWith(right);
    case "greater_than":
      return compare(left, right, (l, r) => l > r);
    case "greater_or_equal":
      return compare(left, right, (l, r) => l >= r);
    case "less_than":
      return compare(left, right, (l, r) => l < r);
    case "less_or_equal":
      return compare(left, right, (l, r) => l <= r);
    case "is_empty":
      return isEmpty(left);
    case "is_not_empty":
      return !isEmpty(left);
  }
}

interface RuleTrace {
  left: string;
  leftValue: unknown;
  operator: ConditionOperator;
  right: string | null;
  result: boolean;
}

export const executeCondition: NodeExecutor<ConditionConfig> = async (ctx) => {
  const evaluated: { id: string; logic: "and" | "or"; matched: boolean; rules: RuleTrace[] }[] = [];
  const values: Record<string, unknown> = {};
  let branch = ELSE_HANDLE;
  for (const c of ctx.config.cases) {
    const rules: RuleTrace[] = [];
    // Every rule of a case is evaluated (no short-circuit) so the trace shows all of them.
    for (const rule of c.rules) {
      const leftValue = ctx.resolvePath(rule.left);
      values[rule.left] = leftValue ?? null;
      const right = UNARY_OPERATORS.has(rule.operator) ? null : await ctx.render(rule.right);
      const result = evaluateRule(rule.operator, leftValue, right ?? "");
      rules.push({ left: rule.left, leftValue: leftValue ?? null, operator: rule.operator, right, result });
    }
    const matched = rules.length > 0 && (c.logic === "and" ? rules.every((r) => r.result) : rules.some((r) => r.result));
    evaluated.push({ id: c.id, logic: c.logic, matched, rules });
    if (matched) {
      branch = c.id;
      break;
    }
  }
  return { output: { branch }, branch, input: values, detail: { branch, cases: evaluated } };
};
