/**
 * The last line of defence of the audit log: whatever a caller puts into `changes` or `metadata`,
 * a value under a key that names a credential is replaced before it is written. Booleans and
 * nulls survive (`apiKey: { changed: true }` says a key was rotated without saying what it is).
 * Callers still choose what to record field by field (lib/audit/changes.ts); this catches mistakes.
 */
const SENSITIVE_KEY = /pass(word|phrase)?|secret|token|api[-_]?key|authori[sz]ation|cookie|cipher|credential|private[-_]?key|hint|^value$|^headers?$|^env$/i;

export const REDACTED = "[redacted]";

export function redactAuditJson(value: unknown, tainted = false): unknown {
  if (value === null || typeof value === "boolean") return value;
  if (Array.isArray(value)) return value.map((item) => redactAuditJson(item, tainted));
  if (typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redactAuditJson(inner, tainted || SENSITIVE_KEY.test(key))]));
  }
  return tainted ? REDACTED : value;
}
