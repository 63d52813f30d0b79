import { formatCost } from "@/lib/models/cost";
import Link from "next/link";
import { StatusBadge } from "@/components/ui/status-badge";
import { ThrottledNote } from "./throttled-note";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import { describeInitiator } from "@/lib/runs/initiator";
import type { RunListItem } from "@/lib/runs/queries";
import { formatDuration, formatNumber, formatRelative, formatTimestamp } from "@/lib/utils";

/** Runs newest first; the row's first cell links to the run, the workflow cell to the editor. */
export function RunTable({ runs }: { runs: RunListItem[] }) {
  const now = new Date();
  return (
    <div className="rounded-lg border">
      <Table>
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            <TableHead className="w-32">Status</TableHead>
            <TableHead>Workflow</TableHead>
            <TableHead>Started by</TableHead>
            <TableHead className="w-44">Started</TableHead>
            <TableHead className="w-28 text-right">Duration</TableHead>
            <TableHead className="w-28 text-right">Tokens / cost</TableHead>
            <TableHead className="w-24 text-right">Run</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {runs.map((run) => {
            const started = run.startedAt ?? run.createdAt;
            const liveMs = run.startedAt && !run.finishedAt ? now.getTime() - run.startedAt.getTime() : null;
            return (
              <TableRow key={run.id} data-testid="run-row" data-run-id={run.id} data-status={run.status} className="relative">
                <TableCell>
                  <Link href={`/runs/${run.id}`} className="after:absolute after:inset-0" aria-label={`Run ${run.id.slice(0, 8)}, ${run.status}`}>
                    <StatusBadge status={run.status} />
                  </Link>
                  <ThrottledNote run={run} />
                </TableCell>
                <TableCell className="max-w-0">
                  {run.workflowId ? (
                    <Link href={`/workflows/${run.workflowId}`} className="relative z-10 truncate font-medium hover:underline">
                      {run.workflowName}
                    </Link>
                  ) : (
                    <span className="truncate font-medium" title="This workflow was deleted">
                      {run.workflowName} <span className="text-xs font-normal text-muted-foreground">(deleted)</span>
                    </span>
                  )}
                </TableCell>
                <TableCell className="max-w-0 text-muted-foreground">
                  <span className="block truncate" data-testid="run-row-initiator" data-trigger={run.trigger}>
                    {describeInitiator(run.initiator, run.trigger, run.version)}
                  </span>
                </TableCell>
                <TableCell className="text-muted-foreground">
                  <time dateTime={started.toISOString()} title={formatTimestamp(started)}>
                    {run.startedAt ? formatRelative(started, now) : `queued ${formatRelative(started, now)}`}
                  </time>
                </TableCell>
                <TableCell className="text-right tabular-nums text-muted-foreground">
                  {formatDuration(run.durationMs ?? liveMs)}
                </TableCell>
                <TableCell className="text-right tabular-nums text-muted-foreground">
                  {formatNumber(run.totalTokens)}
                  {run.cost ? (
                    <span className="block text-xs" data-testid="run-row-cost">
                      {formatCost(run.cost)}
                    </span>
                  ) : null}
                </TableCell>
                <TableCell className="text-right font-mono text-xs text-muted-foreground">
                  {run.id.slice(0, 8)}
                  {run.sourceKind === "node_test" ? (
                    <span className="block" data-testid="run-row-node-test">
                      node test
                    </span>
                  ) : null}
                  {run.sourceRunId ? (
                    <Link href={`/runs/${run.sourceRunId}`} className="relative z-10 block hover:underline" data-testid="run-row-source">
                      {run.sourceKind === "rerun" ? "re-run of" : run.sourceKind === "node_test" ? "values from" : "resumes"} {run.sourceRunId.slice(0, 8)}
                    </Link>
                  ) : null}
                  {run.parentRunId ? (
                    <Link href={`/runs/${run.parentRunId}`} className="relative z-10 block hover:underline" data-testid="run-row-parent">
                      child of {run.parentRunId.slice(0, 8)}
                    </Link>
                  ) : null}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}
