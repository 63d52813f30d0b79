import { canonicalJson as canonical } from "@/lib/utils";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type AuditChanges = Record<string, { before?: JsonValue; after?: JsonValue } | { changed: true }>;

const toJson = (value: unknown): JsonValue => (value === undefined ? null : (JSON.parse(JSON.stringify(value)) as JsonValue));

/**
 * The before/after summary of an audit entry. `shown` fields are recorded with their values when
 * they differ; `hidden` fields (keys, secret values, tool configurations, graphs) only as
 * `{ changed: true }`, so the log says that they changed and never what they hold. `before` is null
 * for a creation and `after` for a deletion (then only the side that exists is recorded).
 */
export function changeSummary<T extends object>(
  before: T | null,
  after: T | null,
  fields: { shown: readonly (keyof T & string)[]; hidden?: readonly (keyof T & string)[] },
): AuditChanges {
  const out: AuditChanges = {};
  const read = (row: T | null, field: keyof T) => (row ? (row[field] as unknown) : undefined);
  for (const field of fields.shown) {
    const [b, a] = [read(before, field), read(after, field)];
    if (canonical(b) === canonical(a)) continue;
    out[field] = { ...(before ? { before: toJson(b) } : {}), ...(after ? { after: toJson(a) } : {}) };
  }
  for (const field of fields.hidden ?? []) {
    const [b, a] = [read(before, field), read(after, field)];
    if (before && after && canonical(b) === canonical(a)) continue;
    if (b === undefined && a === undefined) continue;
    if ((b === null || b === undefined) && (a === null || a === undefined)) continue;
    out[field] = { changed: true };
  }
  return out;
}
