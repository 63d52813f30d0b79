import { LIMITS } from "@/lib/engine/limits";
import { NodeSettingsSchema, RETRY_DEFAULTS, type BackoffKind, type OnErrorMode } from "@/lib/engine/policy";

/**
 * The inspector's Settings section as pure functions: what the form shows for a node's stored
 * `settings`, and the compact object a change stores back (defaults are left out, so a node
 * with default settings stores none and old graphs stay byte-identical).
 */

export interface SettingsForm {
  /** Seconds as typed; "" means the default. */
  timeoutSeconds: string;
  maxAttempts: number;
  backoff: BackoffKind;
  /** Seconds as typed. */
  initialDelaySeconds: string;
  onError: OnErrorMode;
  defaultOutput: Record<string, unknown> | undefined;
}

export const ON_ERROR_LABELS: Record<OnErrorMode, string> = {
  fail: "Fail the run",
  continue: "Continue with default output",
  branch: "Take the error branch",
};

export const DEFAULT_TIMEOUT_SECONDS = LIMITS.stepTimeoutMs / 1000;

const record = (value: unknown): Record<string, unknown> =>
  value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
const num = (value: unknown): number | undefined => (typeof value === "number" && Number.isFinite(value) ? value : undefined);
const seconds = (ms: number | undefined): string => (ms === undefined ? "" : String(ms / 1000));

/** Reads stored settings leniently: a draft may hold out-of-range values the validator reports. */
export function settingsForm(stored: unknown): SettingsForm {
  const raw = record(stored);
  const retry = record(raw.retry);
  const onError = raw.onError === "continue" || raw.onError === "branch" ? raw.onError : "fail";
  return {
    timeoutSeconds: seconds(num(raw.timeoutMs)),
    maxAttempts: num(retry.maxAttempts) ?? RETRY_DEFAULTS.maxAttempts,
    backoff: retry.backoff === "fixed" ? "fixed" : "exponential",
    initialDelaySeconds: seconds(num(retry.initialDelayMs) ?? RETRY_DEFAULTS.initialDelayMs),
    onError,
    defaultOutput: raw.defaultOutput === undefined ? undefined : record(raw.defaultOutput),
  };
}

/** What to store for a form state; undefined when everything is at its default. */
export function settingsFromForm(form: SettingsForm, stored: unknown = undefined): Record<string, unknown> | undefined {
  const previousRetry = record(record(stored).retry);
  const out: Record<string, unknown> = {};
  const timeout = form.timeoutSeconds.trim();
  if (timeout !== "" && Number.isFinite(Number(timeout))) out.timeoutMs = Math.round(Number(timeout) * 1000);
  if (form.maxAttempts > 1) {
    const delay = form.initialDelaySeconds.trim();
    const initialDelayMs = delay !== "" && Number.isFinite(Number(delay)) ? Math.round(Number(delay) * 1000) : RETRY_DEFAULTS.initialDelayMs;
    out.retry = {
      maxAttempts: form.maxAttempts,
      backoff: form.backoff,
      initialDelayMs,
      maxDelayMs: Math.max(num(previousRetry.maxDelayMs) ?? RETRY_DEFAULTS.maxDelayMs, initialDelayMs),
    };
  }
  if (form.onError !== "fail") out.onError = form.onError;
  if (form.onError === "continue") out.defaultOutput = form.defaultOutput ?? {};
  return Object.keys(out).length > 0 ? out : undefined;
}

export type JsonObjectParse = { ok: true; value: Record<string, unknown> } | { ok: false; message: string };

/** The Default output textarea: a JSON object (empty text means {}). */
export function parseDefaultOutput(text: string): JsonObjectParse {
  if (!text.trim()) return { ok: true, value: {} };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, message: `Not valid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, message: 'Enter a JSON object, such as { "text": "" }.' };
  }
  const checked = NodeSettingsSchema.shape.defaultOutput.safeParse(value);
  return checked.success && checked.data ? { ok: true, value: checked.data } : { ok: false, message: "The default output is too large." };
}

/** Whether the node has any non-default setting (the section then opens by itself). */
export const hasCustomSettings = (stored: unknown): boolean => settingsFromForm(settingsForm(stored), stored) !== undefined;
