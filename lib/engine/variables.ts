import { z } from "zod";
import type { Graph } from "./graph";
import { VALUE_TYPES, type AnyNodeDefinition, type ValueType } from "./node-kit";

/**
 * Workflow variables: typed values declared on the graph (`graph.variables`), read anywhere as
 * `{{ var.<name> }}` and changed only by Variable assign nodes. The engine never keeps them in
 * memory across steps: the current values are the declared defaults overlaid with the outputs of
 * the succeeded assign steps, in step order, so a resumed run (another worker, after a crash)
 * rebuilds exactly what the crashed one had.
 */

export const VARIABLE_SCOPE_KEY = "var";

export const WorkflowVariableSchema = z.object({
  name: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, "variable names are letters, digits and _ and do not start with a digit"),
  type: z.enum(VALUE_TYPES),
  default: z.unknown().optional(),
});
export type WorkflowVariable = z.infer<typeof WorkflowVariableSchema>;

export function typeDefault(type: ValueType): unknown {
  switch (type) {
    case "string":
      return "";
    case "number":
      return 0;
    case "boolean":
      return false;
    case "object":
      return {};
    case "array":
      return [];
    case "any":
      return null;
  }
}

export function matchesType(value: unknown, type: ValueType): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && Number.isFinite(value);
    case "boolean":
      return typeof value === "boolean";
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "array":
      return Array.isArray(value);
    case "any":
      return true;
  }
}

export function describeType(value: unknown): string {
  if (value === null) return "null";
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  if (typeof value === "number" && !Number.isFinite(value)) return "a non-finite number";
  return `a ${typeof value}`;
}

export const declaredVariables = (graph: Pick<Graph, "variables">): WorkflowVariable[] => graph.variables ?? [];

/**
 * Declared defaults (a missing or mistyped default falls back to the type's empty value), overlaid
 * with `carried`: the values a conversational run brings from its conversation (conversation.ts).
 */
export function initialVariables(graph: Pick<Graph, "variables">, carried: Record<string, unknown> = {}): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const v of declaredVariables(graph)) {
    if (Object.hasOwn(carried, v.name)) values[v.name] = carried[v.name];
    else values[v.name] = v.default !== undefined && matchesType(v.default, v.type) ? v.default : typeDefault(v.type);
  }
  return values;
}

/**
 * The variables after a succeeded step: a Variable assign node's output holds the new values of
 * the variables it set (`{ count: 3 }`); other nodes change nothing. Returns a new object so
 * scope snapshots taken by steps already running keep what they saw.
 */
export function applyStepToVariables(
  variables: Record<string, unknown>,
  def: AnyNodeDefinition | undefined,
  output: Record<string, unknown>,
): Record<string, unknown> {
  if (!def?.assignsVariables) return variables;
  const next = { ...variables };
  for (const [name, value] of Object.entries(output)) {
    if (Object.hasOwn(variables, name)) next[name] = value;
  }
  return next;
}
