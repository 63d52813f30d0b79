import Link from "next/link";
import type { ReactNode } from "react";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { MemberFigures, ModelFigures, RunFigures, WorkflowFigures } from "@/lib/analytics/overview";
import { formatDuration, formatNumber } from "@/lib/utils";
import { CostLines, formatRate } from "./figures";

/** The range's figures per workflow, per model and per member, as tables under the charts. */

interface Column<Row> {
  header: string;
  numeric?: boolean;
  cell: (row: Row) => ReactNode;
}

function Breakdown<Row>({ title, testId, rows, rowKey, columns, empty }: { title: string; testId: string; rows: Row[]; rowKey: (row: Row) => string; columns: Column<Row>[]; empty: string }) {
  const headingId = `${testId}-heading`;
  return (
    <section aria-labelledby={headingId} className="space-y-2" data-testid={testId}>
      <h2 id={headingId} className="text-sm font-semibold">
        {title}
      </h2>
      {rows.length === 0 ? (
        <p className="rounded-lg border border-dashed px-4 py-6 text-center text-sm text-muted-foreground">{empty}</p>
      ) : (
        <div className="rounded-lg border">
          <Table>
            <TableHeader>
              <TableRow className="hover:bg-transparent">
                {columns.map((column) => (
                  <TableHead key={column.header} className={column.numeric ? "text-right" : undefined}>
                    {column.header}
                  </TableHead>
                ))}
              </TableRow>
            </TableHeader>
            <TableBody>
              {rows.map((row) => (
                <TableRow key={rowKey(row)} data-testid={`${testId}-row`}>
                  {columns.map((column) => (
                    <TableCell key={column.header} className={column.numeric ? "text-right tabular-nums" : undefined}>
                      {column.cell(row)}
                    </TableCell>
                  ))}
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </div>
      )}
    </section>
  );
}

/** Columns every run grouping shows. */
function runColumns<Row extends RunFigures>(): Column<Row>[] {
  return [
    { header: "Runs", numeric: true, cell: (row) => formatNumber(row.runs) },
    { header: "Success rate", numeric: true, cell: (row) => formatRate(row.successRate) },
    { header: "p50", numeric: true, cell: (row) => formatDuration(row.p50Ms) },
    { header: "p95", numeric: true, cell: (row) => formatDuration(row.p95Ms) },
    { header: "Tokens", numeric: true, cell: (row) => formatNumber(row.totalTokens) },
    { header: "Cost", numeric: true, cell: (row) => <CostLines cost={row.cost} /> },
  ];
}

export function WorkflowBreakdown({ rows }: { rows: WorkflowFigures[] }) {
  return (
    <Breakdown
      title="Per workflow"
      testId="breakdown-workflows"
      rows={rows}
      rowKey={(row) => row.workflowId ?? `deleted:${row.name}`}
      empty="No runs in this range."
      columns={[
        {
          header: "Workflow",
          cell: (row) =>
            row.workflowId ? (
              <span className="flex gap-2">
                <Link href={`/workflows/${row.workflowId}`} className="font-medium hover:underline">
                  {row.name}
                </Link>
                <Link href={`/runs?workflow=${row.workflowId}`} className="text-xs text-muted-foreground hover:underline" aria-label={`Runs of ${row.name}`}>
                  runs
                </Link>
              </span>
            ) : (
              <span title="This workflow was deleted">
                {row.name} <span className="text-xs text-muted-foreground">(deleted)</span>
              </span>
            ),
        },
        ...runColumns<WorkflowFigures>(),
      ]}
    />
  );
}

export function ModelBreakdown({ rows }: { rows: ModelFigures[] }) {
  return (
    <Breakdown
      title="Per model"
      testId="breakdown-models"
      rows={rows}
      rowKey={(row) => `${row.model}|${row.providerId ?? ""}`}
      empty="No model calls in this range."
      columns={[
        { header: "Model", cell: (row) => <span className="font-mono text-xs">{row.model}</span> },
        { header: "Provider", cell: (row) => row.providerName ?? (row.providerId ? "Deleted provider" : "—") },
        { header: "Steps", numeric: true, cell: (row) => formatNumber(row.steps) },
        { header: "Prompt tokens", numeric: true, cell: (row) => formatNumber(row.promptTokens) },
        { header: "Completion tokens", numeric: true, cell: (row) => formatNumber(row.completionTokens) },
        { header: "Cost", numeric: true, cell: (row) => <CostLines cost={row.cost} /> },
      ]}
    />
  );
}

export function MemberBreakdown({ rows }: { rows: MemberFigures[] }) {
  return (
    <Breakdown
      title="Per member"
      testId="breakdown-members"
      rows={rows}
      rowKey={(row) => row.userId ?? "api"}
      empty="No runs in this range."
      columns={[
        {
          header: "Started by",
          cell: (row) =>
            row.userId === null ? (
              <span title="Runs no signed-in member started: API keys and other initiators">API / other</span>
            ) : (
              <span className="flex flex-col">
                <span className="font-medium">{row.name ?? "Former user"}</span>
                {row.email ? <span className="text-xs text-muted-foreground">{row.email}</span> : null}
              </span>
            ),
        },
        ...runColumns<MemberFigures>(),
      ]}
    />
  );
}
