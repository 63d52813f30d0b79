import { isTransientError } from "./transient";

/**
 * Retries an operation that failed with a transient database or Redis fault (lib/db/transient.ts),
 * with bounded exponential backoff and jitter, so that a terminated connection or a failover
 * costs a run a few hundred milliseconds instead of failing it. Only use it on operations that are
 * safe to repeat: a statement whose first try may have committed before the error reached us runs
 * again (see step-sql.ts for how each fenced write stays idempotent).
 */
export interface RetryOptions {
  /** Tries in all, the first included. */
  attempts?: number;
  /** The first backoff; doubled each time up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Told about each retry (logging). */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Stops retrying (a run being cancelled or the worker shutting down). */
  signal?: AbortSignal;
}

/** About 6 s of retrying in all with the defaults: longer than a connection restart or a quick failover. */
export const RETRY_DEFAULTS = { attempts: 8, baseDelayMs: 50, maxDelayMs: 2_000 } as const;

export async function withRetry<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const attempts = options.attempts ?? RETRY_DEFAULTS.attempts;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= attempts || !isTransientError(error) || options.signal?.aborted) throw error;
      const delayMs = backoffMs(attempt, options.baseDelayMs ?? RETRY_DEFAULTS.baseDelayMs, options.maxDelayMs ?? RETRY_DEFAULTS.maxDelayMs);
      options.onRetry?.(error, attempt, delayMs);
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

/** Equal jitter (between half and all of the exponential bound): retries of many runs spread out instead of hitting the database together. */
export function backoffMs(attempt: number, baseDelayMs: number, maxDelayMs: number): number {
  const bound = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(bound / 2 + Math.random() * (bound / 2));
}

/** Process-wide hook for logging retries (set once by the worker; quiet by default). */
let retryListener: RetryOptions["onRetry"];
export function onTransientRetry(listener: RetryOptions["onRetry"]): void {
  retryListener = listener;
}

/** withRetry with the defaults and the process-wide listener: the bookkeeping of the run path uses this. */
export function retried<T>(operation: (attempt: number) => Promise<T>): Promise<T> {
  return withRetry(operation, { onRetry: (error, attempt, delayMs) => retryListener?.(error, attempt, delayMs) });
}
