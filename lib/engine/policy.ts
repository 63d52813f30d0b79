import { z } from "zod";
import { LIMITS, type Limits } from "./limits";
import type { AnyNodeDefinition, HandleSpec, OutputField } from "./node-kit";

/**
 * Per-node settings (timeout, retry, on error) and the pure rules around them. The settings live
 * in the stored node's `data.settings`, beside the config: config schemas are zod objects that
 * strip unknown keys, so a definition never sees them, and every node type gets them for free.
 */

/** The extra output a node gets when its On error setting is "branch". A reserved handle id. */
export const ERROR_HANDLE = "error";

export const ON_ERROR_MODES = ["fail", "continue", "branch"] as const;
export type OnErrorMode = (typeof ON_ERROR_MODES)[number];

export const BACKOFF_KINDS = ["fixed", "exponential"] as const;
export type BackoffKind = (typeof BACKOFF_KINDS)[number];

export const RETRY_DEFAULTS = { maxAttempts: 1, backoff: "exponential", initialDelayMs: 1_000, maxDelayMs: 30_000 } as const;

export const RetrySettingsSchema = z.object({
  maxAttempts: z.number().int().min(1).max(LIMITS.maxRetryAttempts).default(RETRY_DEFAULTS.maxAttempts),
  backoff: z.enum(BACKOFF_KINDS).default(RETRY_DEFAULTS.backoff),
  initialDelayMs: z.number().int().min(0).max(LIMITS.maxRetryDelayMs).default(RETRY_DEFAULTS.initialDelayMs),
  maxDelayMs: z.number().int().min(0).max(LIMITS.maxRetryDelayMs).default(RETRY_DEFAULTS.maxDelayMs),
});
export type RetrySettings = z.infer<typeof RetrySettingsSchema>;

const JsonObjectSchema = z.record(z.string(), z.unknown()).refine(
  (value) => {
    try {
      return JSON.stringify(value).length <= LIMITS.maxStepOutputBytes;
    } catch {
      return false;
    }
  },
  { message: "must be a JSON object no larger than a step output" },
);

export const NodeSettingsSchema = z.object({
  /** Per attempt; the default is LIMITS.stepTimeoutMs. */
  timeoutMs: z
    .number()
    .int()
    .min(LIMITS.minStepTimeoutMs, `must be at least ${LIMITS.minStepTimeoutMs / 1000} s`)
    .max(LIMITS.maxStepTimeoutMs, `must be at most ${LIMITS.maxStepTimeoutMs / 60_000} min`)
    .optional(),
  retry: RetrySettingsSchema.optional(),
  onError: z.enum(ON_ERROR_MODES).default("fail"),
  /** The node's output when it fails and onError is "continue". */
  defaultOutput: JsonObjectSchema.optional(),
});
export type NodeSettings = z.infer<typeof NodeSettingsSchema>;
/** What the editor stores (every field optional; defaults are filled when read). */
export type NodeSettingsInput = z.input<typeof NodeSettingsSchema>;

export const DEFAULT_SETTINGS: NodeSettings = { onError: "fail" };

export function supportsErrorPolicy(def: AnyNodeDefinition): boolean {
  return def.supportsErrorPolicy ?? def.role === undefined;
}

export type SettingsRead = { ok: true; settings: NodeSettings } | { ok: false; issues: z.core.$ZodIssue[] };

/** The node's settings from its stored data; nodes that do not support them always get the defaults. */
export function readNodeSettings(def: AnyNodeDefinition, data: Readonly<Record<string, unknown>>): SettingsRead {
  if (!supportsErrorPolicy(def) || data.settings === undefined) return { ok: true, settings: DEFAULT_SETTINGS };
  const parsed = NodeSettingsSchema.safeParse(data.settings);
  return parsed.success ? { ok: true, settings: parsed.data } : { ok: false, issues: parsed.error.issues };
}

/** Settings for drawing and editing: broken settings count as the defaults rather than throwing. */
export function settingsOrDefault(def: AnyNodeDefinition, data: Readonly<Record<string, unknown>>): NodeSettings {
  const read = readNodeSettings(def, data);
  return read.ok ? read.settings : DEFAULT_SETTINGS;
}

/** The definition's handles plus the error handle when the node takes an error branch. */
export function withErrorHandle(handles: HandleSpec[], settings: NodeSettings): HandleSpec[] {
  if (settings.onError !== "branch" || handles.some((h) => h.id === ERROR_HANDLE)) return handles;
  return [...handles, { id: ERROR_HANDLE, label: "ERROR" }];
}

/**
 * Every output handle of a stored node, for the canvas, the editor's edge pruning and the
 * validator alike. A config too broken to read yields no handles of its own rather than throwing.
 */
export function nodeOutputHandles(def: AnyNodeDefinition, data: Readonly<Record<string, unknown>>): HandleSpec[] {
  const parsed = def.configSchema.safeParse(data);
  let handles: HandleSpec[];
  try {
    handles = def.outputHandles(parsed.success ? parsed.data : data);
  } catch {
    handles = [];
  }
  return withErrorHandle(handles, settingsOrDefault(def, data));
}

export const ERROR_FIELD: OutputField = {
  name: "error",
  type: "object",
  description: "On the error branch: the failure's { code, message }",
};

/** The definition's output fields plus `error` when the node takes an error branch. */
export function withErrorField(fields: OutputField[], settings: NodeSettings): OutputField[] {
  if (settings.onError !== "branch" || fields.some((f) => f.name === ERROR_FIELD.name)) return fields;
  return [...fields, ERROR_FIELD];
}

/** The settings as the engine applies them, defaults filled in. */
export interface StepPolicy {
  timeoutMs: number;
  maxAttempts: number;
  backoff: BackoffKind;
  initialDelayMs: number;
  maxDelayMs: number;
  onError: OnErrorMode;
  defaultOutput: Record<string, unknown>;
}

export function stepPolicy(settings: NodeSettings, limits: Pick<Limits, "stepTimeoutMs">): StepPolicy {
  const retry = settings.retry ?? RETRY_DEFAULTS;
  return {
    timeoutMs: settings.timeoutMs ?? limits.stepTimeoutMs,
    maxAttempts: retry.maxAttempts,
    backoff: retry.backoff,
    initialDelayMs: retry.initialDelayMs,
    maxDelayMs: Math.max(retry.maxDelayMs, retry.initialDelayMs),
    onError: settings.onError,
    defaultOutput: settings.defaultOutput ?? {},
  };
}

/**
 * How long to wait after failed attempt number `failedAttempt` (1-based) of this step. A
 * Retry-After from the provider wins over the backoff (it knows when it will take us again),
 * but nothing waits longer than LIMITS.maxRetryDelayMs. No jitter: delays stay predictable in
 * the trace, and the Retry-After already spreads out callers a provider is throttling.
 */
export function retryDelayMs(
  policy: Pick<StepPolicy, "backoff" | "initialDelayMs" | "maxDelayMs">,
  failedAttempt: number,
  retryAfterMs: number | undefined,
  limits: Pick<Limits, "maxRetryDelayMs">,
): number {
  const backoff =
    policy.backoff === "fixed"
      ? policy.initialDelayMs
      : Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.min(30, Math.max(0, failedAttempt - 1)));
  const wanted = retryAfterMs !== undefined ? Math.max(retryAfterMs, 0) : backoff;
  return Math.round(Math.min(wanted, limits.maxRetryDelayMs));
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts (cancel interrupts a backoff). */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
