import type { NodeExecutor } from "@/lib/engine/node-kit";
import type { AggregateConfig } from "./definition";

/**
 * The first variable with a value. A node skipped on a branch not taken has no entry in the
 * scope, so `resolvePath` gives undefined for it: here that means "absent", not an error.
 * null counts as a value (a node that ran and produced null did run).
 */
export const executeAggregate: NodeExecutor<AggregateConfig> = async (ctx) => {
  const checked: { path: string; present: boolean }[] = [];
  for (const path of ctx.config.variables) {
    const value = ctx.resolvePath(path);
    checked.push({ path, present: value !== undefined });
    if (value !== undefined) {
      return { output: { value, source: path }, input: { checked }, detail: { source: path } };
    }
  }
  return { output: { value: null, source: "" }, input: { checked }, detail: { source: null } };
};
