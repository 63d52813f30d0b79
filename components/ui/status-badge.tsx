import * as React from "react";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { cn } from "@/lib/utils";

/** Every run status and step status (prisma RunStatus ∪ StepStatus). */
export type Status = "queued" | "running" | "waiting" | "succeeded" | "failed" | "cancelled" | "skipped" | "not_run";

const TONE: Record<Status, BadgeTone> = {
  queued: "grey",
  running: "blue",
  waiting: "amber",
  succeeded: "green",
  failed: "red",
  cancelled: "muted",
  skipped: "muted",
  not_run: "muted",
};

const LABEL: Record<Status, string> = {
  queued: "Queued",
  running: "Running",
  waiting: "Waiting",
  succeeded: "Succeeded",
  failed: "Failed",
  cancelled: "Cancelled",
  skipped: "Skipped",
  not_run: "Not run",
};

const DOT: Record<BadgeTone, string> = {
  default: "bg-primary-foreground",
  outline: "bg-foreground",
  grey: "bg-zinc-400",
  blue: "bg-blue-500",
  amber: "bg-amber-500",
  green: "bg-green-500",
  red: "bg-red-500",
  muted: "bg-zinc-300",
};

export function isStatus(value: string): value is Status {
  return value in TONE;
}

export function statusTone(status: Status): BadgeTone {
  return TONE[status];
}

export interface StatusBadgeProps extends Omit<React.HTMLAttributes<HTMLSpanElement>, "children"> {
  status: Status | (string & {});
}

/** A coloured pill for a run or step status; `data-status` carries the raw value for tests. */
export function StatusBadge({ status, className, ...props }: StatusBadgeProps) {
  const known = isStatus(status);
  const tone = known ? TONE[status] : "grey";
  return (
    <Badge tone={tone} data-status={status} className={className} {...props}>
      <span
        aria-hidden
        className={cn("size-1.5 rounded-full", DOT[tone], status === "running" && "animate-pulse")}
      />
      {known ? LABEL[status] : status}
    </Badge>
  );
}
