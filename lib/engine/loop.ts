import { toErrorInfo, type ErrorInfo } from "./errors";
import type { ContainerPlan } from "./node-kit";

/**
 * The item pool of a Loop: which items run when, what their results are, when to stop.
 * The engine supplies how one item runs (its body, as a sub-run over the body graph) and how a
 * finished item's result and break condition are read; this module only orders them.
 *
 * - At most `parallelism` items are open at once; a waiting item keeps its place, so a loop with
 *   parallelism 1 handles its items strictly one after the other, waits included.
 * - Results keep the order of the list whatever order items finish in.
 * - A break after item k drops every item after k from the results (items already running finish
 *   first; with parallelism 1 none are), so the outcome does not depend on timing.
 * - A failed item fails the loop, counts as null, or is left out (`onItemError`); a fatal failure
 *   (the run's step limit) always fails it.
 */

export type ItemEnd =
  | { status: "succeeded"; scope: Record<string, unknown> }
  | { status: "waiting" }
  | { status: "failed"; error: ErrorInfo; fatal?: boolean }
  | { status: "stopped" };

export type LoopEnd =
  | { status: "succeeded"; results: unknown[] }
  | { status: "waiting" }
  | { status: "failed"; error: ErrorInfo }
  | { status: "stopped" };

export interface IterateOptions {
  count: number;
  plan: ContainerPlan;
  runItem(index: number): Promise<ItemEnd>;
  /** The item's result and whether the loop stops after it; throws a NodeError for a broken break condition. */
  finishItem(index: number, scope: Record<string, unknown>): Promise<{ value: unknown; stop: boolean }>;
  /** True once the run is cancelled, out of time, or its store failed: no further item starts. */
  halted(): boolean;
}

export async function iterate(options: IterateOptions): Promise<LoopEnd> {
  const { count, plan } = options;
  const parallelism = Math.max(1, plan.parallelism);
  const values: unknown[] = new Array<unknown>(count);
  const kept: boolean[] = new Array<boolean>(count).fill(false);
  const waiting = new Set<number>();
  const open = new Map<number, Promise<void>>();
  let next = 0;
  let breakAt = Number.POSITIVE_INFINITY;
  let failure: ErrorInfo | undefined;
  let stopped = false;

  const settle = async (index: number): Promise<void> => {
    const end = await options.runItem(index);
    if (end.status === "succeeded") {
      try {
        const { value, stop } = await options.finishItem(index, end.scope);
        values[index] = value;
        kept[index] = true;
        if (stop) breakAt = Math.min(breakAt, index);
      } catch (error) {
        const info = toErrorInfo(error);
        failure ??= { ...info, message: `Item ${index}: ${info.message}` };
      }
    } else if (end.status === "waiting") {
      waiting.add(index);
    } else if (end.status === "stopped") {
      stopped = true;
    } else if (end.fatal || plan.onItemError === "fail") {
      failure ??= { ...end.error, message: `Item ${index} failed: ${end.error.message}` };
    } else if (plan.onItemError === "continue") {
      values[index] = null;
      kept[index] = true;
    }
    // "skip": the item leaves no result.
  };

  while (true) {
    while (!failure && !stopped && !options.halted() && next < count && next <= breakAt && open.size + waiting.size < parallelism) {
      const index = next++;
      open.set(
        index,
        settle(index).finally(() => open.delete(index)),
      );
    }
    if (open.size === 0) break;
    await Promise.race(open.values());
  }

  if (stopped || options.halted()) return { status: "stopped" };
  if (failure) return { status: "failed", error: failure };
  if ([...waiting].some((index) => index <= breakAt)) return { status: "waiting" };
  const last = Math.min(count - 1, breakAt);
  const results: unknown[] = [];
  for (let index = 0; index <= last; index++) if (kept[index]) results.push(values[index]);
  return { status: "succeeded", results };
}
