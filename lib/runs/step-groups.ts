import type { RunStepView } from "./queries";

/**
 * The run trace groups the per-item steps of a loop under the loop's own step, one group per item
 * (iteration), instead of interleaving them in execution order. Pure, so it is unit-tested.
 */

export type StepStatusView = RunStepView["status"];

export interface LoopItemGroup {
  iteration: number;
  /** The item's overall status: failed, else waiting, else running, else succeeded, else skipped. */
  status: StepStatusView;
  steps: RunStepView[];
}

export type TimelineEntry =
  | { kind: "step"; step: RunStepView }
  | { kind: "loop"; loopId: string; step: RunStepView | null; items: LoopItemGroup[] };

const PRECEDENCE: StepStatusView[] = ["failed", "waiting", "running", "succeeded", "skipped"];

export function itemStatus(steps: readonly RunStepView[]): StepStatusView {
  for (const status of PRECEDENCE) if (steps.some((s) => s.status === status)) return status;
  return "skipped";
}

export function groupSteps(steps: readonly RunStepView[]): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const loops = new Map<string, Extract<TimelineEntry, { kind: "loop" }>>();
  const loopEntry = (loopId: string) => {
    let entry = loops.get(loopId);
    if (!entry) {
      entry = { kind: "loop", loopId, step: null, items: [] };
      loops.set(loopId, entry);
      entries.push(entry);
    }
    return entry;
  };
  const loopIds = new Set(steps.flatMap((s) => (s.loopId ? [s.loopId] : [])));
  for (const step of steps) {
    if (step.loopId) {
      const entry = loopEntry(step.loopId);
      let item = entry.items.find((i) => i.iteration === step.iteration);
      if (!item) {
        item = { iteration: step.iteration, status: step.status, steps: [] };
        entry.items.push(item);
      }
      item.steps.push(step);
    } else if (loopIds.has(step.nodeId) && step.iteration === 0) {
      loopEntry(step.nodeId).step = step;
    } else {
      entries.push({ kind: "step", step });
    }
  }
  for (const entry of loops.values()) {
    entry.items.sort((a, b) => a.iteration - b.iteration);
    for (const item of entry.items) item.status = itemStatus(item.steps);
  }
  return entries;
}
