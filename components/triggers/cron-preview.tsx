"use client";

import cronstrue from "cronstrue";
import { cronProblem, nextFireTimes } from "@/lib/triggers/cron";

/** "At 09:00, Monday through Friday" and the next five times in the schedule's zone, or why the expression is wrong. */
export function CronPreview({ cron, timezone }: { cron: string; timezone: string }) {
  if (!cron.trim()) return null;
  const problem = cronProblem(cron, timezone);
  if (problem) {
    return (
      <p className="text-xs text-red-700" data-testid="cron-problem">
        {problem}
      </p>
    );
  }
  const format = new Intl.DateTimeFormat(undefined, { timeZone: timezone, dateStyle: "medium", timeStyle: "medium" });
  return (
    <div className="grid gap-1 text-xs" data-testid="cron-preview">
      <p className="font-medium">{cronstrue.toString(cron, { use24HourTimeFormat: true, verbose: false })} ({timezone})</p>
      <ol className="list-inside list-decimal text-muted-foreground">
        {nextFireTimes(cron, timezone, 5).map((time) => (
          <li key={time.getTime()}>{format.format(time)}</li>
        ))}
      </ol>
    </div>
  );
}
