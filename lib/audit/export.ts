import { z } from "zod";
import type { AuditEventRow } from "./query";

/** The two download formats of Settings → Audit log. */
export const AUDIT_EXPORT_FORMATS = ["csv", "jsonl"] as const;
export const AuditExportFormatSchema = z.enum(AUDIT_EXPORT_FORMATS, { message: "format must be csv or jsonl" });
export type AuditExportFormat = z.infer<typeof AuditExportFormatSchema>;

export const CSV_COLUMNS = [
  "time",
  "action",
  "actorType",
  "actorLabel",
  "actorUserId",
  "actorApiKeyId",
  "targetType",
  "targetId",
  "targetLabel",
  "ip",
  "userAgent",
  "changes",
  "metadata",
  "workspaceId",
  "id",
] as const;

/** One entry as a flat record: the JSON Lines object, and the CSV row's cells. */
export function exportRecord(row: AuditEventRow): Record<(typeof CSV_COLUMNS)[number], unknown> {
  return {
    time: row.createdAt.toISOString(),
    action: row.action,
    actorType: row.actorType,
    actorLabel: row.actorLabel,
    actorUserId: row.actorUserId,
    actorApiKeyId: row.actorApiKeyId,
    targetType: row.targetType,
    targetId: row.targetId,
    targetLabel: row.targetLabel,
    ip: row.ip,
    userAgent: row.userAgent,
    changes: row.changes,
    metadata: row.metadata,
    workspaceId: row.workspaceId,
    id: row.id,
  };
}

/**
 * A CSV cell (RFC 4180 quoting). Cells a spreadsheet would run as a formula (= + - @, tab, CR)
 * get a leading apostrophe: labels and user agents come from users and clients.
 */
export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "string" ? value : JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (cells: readonly unknown[]) => `${cells.map(csvCell).join(",")}\r\n`;

/** The export as a byte stream: the header (CSV), then one line per entry as the rows are read. */
export function exportStream(format: AuditExportFormat, rows: AsyncIterable<AuditEventRow>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator = rows[Symbol.asyncIterator]();
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started && format === "csv") controller.enqueue(encoder.encode(csvLine(CSV_COLUMNS)));
      started = true;
      const next = await iterator.next();
      if (next.done) return controller.close();
      const record = exportRecord(next.value);
      controller.enqueue(encoder.encode(format === "csv" ? csvLine(CSV_COLUMNS.map((c) => record[c])) : `${JSON.stringify(record)}\n`));
    },
    async cancel() {
      await iterator.return?.(undefined);
    },
  });
}
