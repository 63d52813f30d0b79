"use client";

import { ArrowDown, ArrowUp } from "lucide-react";
import Link from "next/link";
import { useMemo, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { StatusBadge, isStatus } from "@/components/ui/status-badge";
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { CatalogRow } from "@/lib/analytics/catalog";
import { formatNumber, formatRelative, formatTimestamp } from "@/lib/utils";
import { CostLines, formatRate } from "./figures";

type SortKey = "name" | "owner" | "version" | "lastRun" | "runs7" | "runs30" | "errorRate" | "cost7" | "cost30" | "idle";
type SortValue = string | number | null;

/** The currency most workflows were charged in: the cost columns sort by it. */
function mainCurrency(rows: CatalogRow[]): string | null {
  const counts = new Map<string, number>();
  for (const row of rows) for (const currency of Object.keys(row.cost30)) counts.set(currency, (counts.get(currency) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0] ?? null;
}

function sortValue(row: CatalogRow, key: SortKey, currency: string | null): SortValue {
  switch (key) {
    case "name":
      return row.name.toLowerCase();
    case "owner":
      return row.ownerName?.toLowerCase() ?? null;
    case "version":
      return row.publishedVersion;
    case "lastRun":
      return row.lastRunAt ? new Date(row.lastRunAt).getTime() : null;
    case "cost7":
    case "cost30":
      return currency ? (row[key][currency] ?? 0) : 0;
    case "idle":
      return row.idle ? 1 : 0;
    default:
      return row[key];
  }
}

/** Ascending, empty values last whichever the direction. */
function compare(a: SortValue, b: SortValue, direction: 1 | -1): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return (a < b ? -1 : 1) * direction;
}

const COLUMNS: { key: SortKey; label: string; numeric?: boolean }[] = [
  { key: "name", label: "Workflow" },
  { key: "owner", label: "Owner" },
  { key: "version", label: "Published" },
  { key: "lastRun", label: "Last run" },
  { key: "runs7", label: "Runs 7d", numeric: true },
  { key: "runs30", label: "Runs 30d", numeric: true },
  { key: "errorRate", label: "Error rate 30d", numeric: true },
  { key: "cost7", label: "Cost 7d", numeric: true },
  { key: "cost30", label: "Cost 30d", numeric: true },
  { key: "idle", label: "Idle" },
];

/** Every workflow with its catalog figures; each header sorts (again: the other way). */
export function CatalogTable({ rows, now }: { rows: CatalogRow[]; now: Date }) {
  const [sort, setSort] = useState<{ key: SortKey; direction: 1 | -1 }>({ key: "runs30", direction: -1 });
  const currency = useMemo(() => mainCurrency(rows), [rows]);
  const sorted = useMemo(
    () => [...rows].sort((a, b) => compare(sortValue(a, sort.key, currency), sortValue(b, sort.key, currency), sort.direction) || a.name.localeCompare(b.name)),
    [rows, sort, currency],
  );

  const toggle = (key: SortKey) =>
    setSort((current) => (current.key === key ? { key, direction: current.direction === 1 ? -1 : 1 } : { key, direction: key === "name" || key === "owner" ? 1 : -1 }));

  return (
    <div className="rounded-lg border">
      <Table aria-label="Agent catalog" data-testid="catalog-table">
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            {COLUMNS.map((column) => {
              const active = sort.key === column.key;
              return (
                <TableHead
                  key={column.key}
                  className={column.numeric ? "text-right" : undefined}
                  aria-sort={active ? (sort.direction === 1 ? "ascending" : "descending") : "none"}
                >
                  <button
                    type="button"
                    className="inline-flex items-center gap-1 hover:text-foreground"
                    onClick={() => toggle(column.key)}
                    data-testid={`catalog-sort-${column.key}`}
                    title={column.key.startsWith("cost") && currency ? `Sorts by the amount in ${currency}` : undefined}
                  >
                    {column.label}
                    {active ? sort.direction === 1 ? <ArrowUp className="size-3" /> : <ArrowDown className="size-3" /> : null}
                  </button>
                </TableHead>
              );
            })}
          </TableRow>
        </TableHeader>
        <TableBody>
          {sorted.map((row) => (
            <TableRow key={row.id} data-testid="catalog-row" data-workflow-id={row.id} data-idle={row.idle ? "true" : "false"}>
              <TableCell className="max-w-56">
                <Link href={`/workflows/${row.id}`} className="block truncate font-medium hover:underline">
                  {row.name}
                </Link>
                <Link href={`/runs?workflow=${row.id}`} className="text-xs text-muted-foreground hover:underline" data-testid="catalog-runs-link">
                  All runs
                </Link>
              </TableCell>
              <TableCell className="text-muted-foreground" title={row.ownerEmail ?? undefined}>
                {row.ownerName ?? "—"}
              </TableCell>
              <TableCell>{row.publishedVersion ? `v${row.publishedVersion}` : <span className="text-muted-foreground">Draft only</span>}</TableCell>
              <TableCell>
                {row.lastRunId && row.lastRunAt ? (
                  <Link href={`/runs/${row.lastRunId}`} className="flex items-center gap-2 hover:underline" title={formatTimestamp(row.lastRunAt)}>
                    {row.lastRunStatus && isStatus(row.lastRunStatus) ? <StatusBadge status={row.lastRunStatus} /> : null}
                    <span className="text-xs text-muted-foreground">{formatRelative(row.lastRunAt, now)}</span>
                  </Link>
                ) : (
                  <span className="text-muted-foreground">Never</span>
                )}
              </TableCell>
              <TableCell className="text-right tabular-nums">{formatNumber(row.runs7)}</TableCell>
              <TableCell className="text-right tabular-nums">{formatNumber(row.runs30)}</TableCell>
              <TableCell className="text-right tabular-nums">{formatRate(row.errorRate)}</TableCell>
              <TableCell className="text-right tabular-nums">
                <CostLines cost={row.cost7} />
              </TableCell>
              <TableCell className="text-right tabular-nums">
                <CostLines cost={row.cost30} />
              </TableCell>
              <TableCell>
                {row.idle ? (
                  <Badge tone="amber" data-testid="catalog-idle" title="Published, but no run in the last 30 days">
                    Idle
                  </Badge>
                ) : null}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
