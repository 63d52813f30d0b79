import type { ReactNode } from "react";
import type { RunDetail } from "@/lib/runs/queries";
import { StepItem } from "./step-item";

/**
 * Every step in execution order, each with a bar placed on the run's time axis (a waterfall),
 * so waits and parallel branches are visible at a glance.
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
  return (
    <ol className="space-y-2" aria-label="Step timeline">
      {run.steps.map((step) => {
        const from = step.startedAt.getTime() - origin;
        const to = (step.finishedAt ?? now).getTime() - origin;
        return (
          <li key={step.id}>
            <StepItem
              step={step}
              bar={{ left: (from / span) * 100, width: Math.max(0.5, ((to - from) / span) * 100) }}
              liveMs={step.finishedAt ? null : now.getTime() - step.startedAt.getTime()}
              actions={stepActions?.(step.nodeId)}
            />
          </li>
        );
      })}
    </ol>
  );
}
