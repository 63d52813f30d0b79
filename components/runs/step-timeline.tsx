import type { ReactNode } from "react";
import { ChevronRight } from "lucide-react";
import { StatusBadge } from "@/components/ui/status-badge";
import type { RunDetail, RunStepView } from "@/lib/runs/queries";
import { groupSteps, type LoopItemGroup } from "@/lib/runs/step-groups";
import { StepItem } from "./step-item";

/**
 * Every step in execution order, each with a bar placed on the run's time axis (a waterfall),
 * so waits and parallel branches are visible at a glance. A loop's per-item steps are grouped
 * under the loop, one collapsible group per item.
 */
export function StepTimeline({ run, now, stepActions }: { run: RunDetail; now: Date; stepActions?: (nodeId: string) => ReactNode }) {
  if (run.steps.length === 0) {
    return (
      <p className="rounded-lg border border-dashed p-6 text-center text-sm text-muted-foreground">
        {run.status === "queued" ? "Waiting for a worker to pick up this run…" : "No steps were recorded."}
      </p>
    );
  }
  const origin = Math.min(...run.steps.map((step) => step.startedAt.getTime()));
  const end = Math.max(
    ...run.steps.map((step) => (step.finishedAt ?? now).getTime()),
    run.finishedAt?.getTime() ?? 0,
  );
  const span = Math.max(1, end - origin);
  const item = (step: RunStepView) => {
    const from = step.startedAt.getTime() - origin;
    const to = (step.finishedAt ?? now).getTime() - origin;
    return (
      <StepItem
        step={step}
        bar={{ left: (from / span) * 100, width: Math.max(0.5, ((to - from) / span) * 100) }}
        liveMs={step.finishedAt ? null : now.getTime() - step.startedAt.getTime()}
        actions={stepActions?.(step.nodeId)}
      />
    );
  };
  return (
    <ol className="space-y-2" aria-label="Step timeline">
      {groupSteps(run.steps).map((entry) =>
        entry.kind === "step" ? (
          <li key={entry.step.id}>{item(entry.step)}</li>
        ) : (
          <li key={`loop-${entry.loopId}`} className="space-y-2" data-testid={`loop-${entry.loopId}`}>
            {entry.step ? item(entry.step) : null}
            <ol className="ml-6 space-y-2 border-l-2 border-dashed pl-3" aria-label={`Items of ${entry.loopId}`}>
              {entry.items.map((group) => (
                <li key={group.iteration}>
                  <LoopItem group={group}>{group.steps.map((step) => <div key={step.id}>{item(step)}</div>)}</LoopItem>
                </li>
              ))}
            </ol>
          </li>
        ),
      )}
    </ol>
  );
}

/** One item of a loop: its steps, open when something in it needs attention. */
function LoopItem({ group, children }: { group: LoopItemGroup; children: ReactNode }) {
  return (
    <details className="group/item" open={group.status === "failed" || group.status === "waiting"} data-testid={`loop-item-${group.iteration}`} data-status={group.status}>
      <summary className="flex cursor-pointer list-none items-center gap-2 py-1 text-sm [&::-webkit-details-marker]:hidden">
        <ChevronRight className="size-4 text-muted-foreground transition-transform group-open/item:rotate-90" aria-hidden />
        <span className="font-medium">Item {group.iteration}</span>
        <span className="text-xs text-muted-foreground">
          {group.steps.length} step{group.steps.length === 1 ? "" : "s"}
        </span>
        <StatusBadge status={group.status} />
      </summary>
      <div className="space-y-2 pt-1">{children}</div>
    </details>
  );
}
