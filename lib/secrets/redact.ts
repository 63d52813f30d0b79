/**
 * The one redaction function for everything a run records (step inputs, traces, outputs, errors,
 * events, run outputs). A secret rarely comes back verbatim: a query string is stored URL-encoded,
 * a server echoes Basic auth as base64("user:secret"), JSON traces escape quotes and backslashes.
 * So each secret is searched in every form a sender or a server commonly produces, and base64
 * runs are decoded and searched too (that catches `user:secret` whatever the user part is).
 */

export const REDACTED = "[redacted]";
/** Shorter values are ignored: replacing them would shred ordinary text while protecting nothing. */
export const MIN_REDACT_LENGTH = 4;
/** base64 runs shorter than this cannot hold a 4-character secret. */
const BASE64_RUN = /[A-Za-z0-9+/_-]{8,}={0,2}/g;
/** Decoding attempts per run (bounds the work on long identifiers full of dashes). */
const MAX_RUN_STARTS = 16;

const jsonEscaped = (s: string) => JSON.stringify(s).slice(1, -1);
const formEncoded = (s: string) => new URLSearchParams({ v: s }).toString().slice(2);
const lowerPercent = (s: string) => s.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
const base64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const base64url = (s: string) => Buffer.from(s, "utf8").toString("base64url");
const hex = (s: string) => Buffer.from(s, "utf8").toString("hex");

/** The raw secret and its encoded spellings (URL, form, JSON, base64, base64url, hex), longest first. */
export function secretForms(secret: string): string[] {
  const uri = encodeURIComponent(secret);
  const form = formEncoded(secret);
  const forms = [
    secret,
    uri,
    lowerPercent(uri),
    form,
    lowerPercent(form),
    encodeURI(secret),
    jsonEscaped(secret),
    jsonEscaped(jsonEscaped(secret)),
    base64(secret),
    base64(secret).replace(/=+$/, ""),
    base64url(secret),
    hex(secret),
    hex(secret).toUpperCase(),
  ];
  return [...new Set(forms)].filter((f) => f.length >= MIN_REDACT_LENGTH).sort((a, b) => b.length - a.length);
}

/** Decodes a base64 or base64url run; null when it does not decode to readable text. */
function decodeBase64Run(run: string): string | null {
  const text = Buffer.from(run, "base64").toString("utf8");
  return text.includes("\uFFFD") ? null : text;
}

/** A compiled redactor for a fixed list of secrets (built once per call of `redactSecrets`). */
export interface SecretMatcher {
  /** Whether `text` holds any form of any secret (raw, encoded, or inside a base64 run). */
  matches(text: string): boolean;
  /** `text` with every form replaced by "[redacted]". */
  redact(text: string): string;
}

export function secretMatcher(secrets: readonly string[]): SecretMatcher {
  const raw = [...new Set(secrets.filter((s) => typeof s === "string" && s.length >= MIN_REDACT_LENGTH))];
  const needles = [...new Set(raw.flatMap(secretForms))].sort((a, b) => b.length - a.length);
  const decodedHasSecret = (run: string) => {
    const decoded = decodeBase64Run(run);
    return decoded !== null && raw.some((s) => decoded.includes(s));
  };
  /** Where in a run the encoded secret starts: 0, or just after a "-", "_", "+" or "/" (`key-<base64url>`); -1 if nowhere. */
  const secretStart = (run: string): number => {
    const starts = [0, ...[...run.matchAll(/[-_+/]/g)].map((m) => m.index + 1)].slice(0, MAX_RUN_STARTS);
    return starts.find((start) => decodedHasSecret(run.slice(start))) ?? -1;
  };
  return {
    matches: (text) => needles.some((n) => text.includes(n)) || [...text.matchAll(BASE64_RUN)].some((m) => secretStart(m[0]) >= 0),
    redact(text) {
      if (needles.length === 0) return text;
      const direct = needles.reduce((acc, needle) => (acc.includes(needle) ? acc.split(needle).join(REDACTED) : acc), text);
      return direct.replace(BASE64_RUN, (run) => {
        const start = secretStart(run);
        return start < 0 ? run : `${run.slice(0, start)}${REDACTED}`;
      });
    },
  };
}

/**
 * Deep copy of `value` with every form of each secret (inside strings, object keys included)
 * replaced by "[redacted]". Dates are copied; cycles are preserved.
 */
export function redactSecrets<T>(value: T, secrets: readonly string[]): T {
  return createRedactor(secrets)(value);
}

/**
 * `redactSecrets` with the forms computed once: a run redacts every step and event (LLM deltas
 * included) with the same few secrets, so the resolver keeps one of these until a new one is added.
 */
export function createRedactor(secrets: readonly string[]): <T>(value: T) => T {
  if (!secrets.some((s) => typeof s === "string" && s.length >= MIN_REDACT_LENGTH)) return (value) => value;
  const matcher = secretMatcher(secrets);
  return (value) => walkRedact(value, matcher);
}

function walkRedact<T>(value: T, matcher: SecretMatcher): T {
  const walk = (v: unknown, seen: WeakMap<object, unknown>): unknown => {
    if (typeof v === "string") return matcher.redact(v);
    if (v === null || typeof v !== "object") return v;
    if (seen.has(v)) return seen.get(v);
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      seen.set(v, out);
      for (const item of v) out.push(walk(item, seen));
      return out;
    }
    if (v instanceof Date) return new Date(v.getTime());
    const out: Record<string, unknown> = {};
    seen.set(v, out);
    for (const [k, item] of Object.entries(v)) out[matcher.redact(k)] = walk(item, seen);
    return out;
  };
  return walk(value, new WeakMap()) as T;
}
