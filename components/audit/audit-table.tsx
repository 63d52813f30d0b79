import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from "@/components/ui/table";
import type { AuditEventRow } from "@/lib/audit/query";
import { formatTimestamp } from "@/lib/utils";

/** "name: a → b", "apiKeyCipher: changed": a before/after summary in one line per field. */
function describeChanges(changes: unknown): string[] {
  if (!changes || typeof changes !== "object") return [];
  return Object.entries(changes as Record<string, Record<string, unknown>>).map(([field, change]) => {
    if (change && "changed" in change) return `${field}: changed`;
    const show = (value: unknown) => (value === undefined ? "—" : JSON.stringify(value));
    return `${field}: ${show(change?.before)} → ${show(change?.after)}`;
  });
}

const actorText = (row: AuditEventRow) => row.actorLabel ?? (row.actorType === "system" ? "Weft" : row.actorType === "anonymous" ? "not signed in" : (row.actorUserId ?? "—"));

/** Audit entries newest first: when, who (and from where), what, on which target, and what changed. */
export function AuditTable({ events }: { events: AuditEventRow[] }) {
  return (
    <div className="rounded-lg border">
      <Table aria-label="Audit log">
        <TableHeader>
          <TableRow className="hover:bg-transparent">
            <TableHead className="w-44">Time</TableHead>
            <TableHead>Actor</TableHead>
            <TableHead>Action</TableHead>
            <TableHead>Target</TableHead>
            <TableHead>Details</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {events.map((row) => {
            const details = [...describeChanges(row.changes), ...Object.entries((row.metadata ?? {}) as Record<string, unknown>).map(([k, v]) => `${k}: ${JSON.stringify(v)}`)];
            return (
              <TableRow key={row.id} data-testid="audit-row" data-action={row.action} data-audit-id={row.id}>
                <TableCell className="whitespace-nowrap text-xs tabular-nums">{formatTimestamp(row.createdAt)}</TableCell>
                <TableCell className="max-w-56 text-xs">
                  <p className="truncate font-medium" title={actorText(row)}>
                    {actorText(row)}
                  </p>
                  <p className="truncate text-muted-foreground" title={row.userAgent ?? undefined}>
                    {row.actorType === "api_key" ? "API key · " : ""}
                    {row.ip ?? "no address"}
                  </p>
                </TableCell>
                <TableCell className="text-xs">
                  <code>{row.action}</code>
                </TableCell>
                <TableCell className="max-w-56 text-xs">
                  <p className="truncate font-medium" title={row.targetLabel ?? undefined}>
                    {row.targetLabel ?? row.targetId ?? "—"}
                  </p>
                  {row.targetType ? <p className="truncate text-muted-foreground" title={row.targetId ?? undefined}>{row.targetType}</p> : null}
                </TableCell>
                <TableCell className="max-w-80 text-xs text-muted-foreground">
                  {details.map((line) => (
                    <p key={line} className="truncate" title={line}>
                      {line}
                    </p>
                  ))}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}
