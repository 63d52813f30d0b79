/**
 * Thrown by a model call (or a run's pickup) that a limit does not allow yet. Not a NodeError:
 * the step does not fail. The engine stops the pass (like an infrastructure fault, see
 * lib/runs/process-run.ts), and the worker gives the run back to the queue as a delayed job, so
 * no worker is held while it waits; the interrupted step runs again (same idempotency key).
 */
export class RunThrottled extends Error {
  constructor(
    /** What the run waits for, shown as "throttled: <reason>". */
    readonly reason: string,
    /** How long until the limit may allow it (the job's delay). */
    readonly retryAfterMs: number,
  ) {
    super(`Throttled: ${reason}`);
    this.name = "RunThrottled";
  }
}

/** A throttled run is tried again after at least this long, so a hot limit is not polled in a tight loop. */
export const MIN_THROTTLE_DELAY_MS = 250;
/** And after at most this long: limits change, slots free up early. */
export const MAX_THROTTLE_DELAY_MS = 60_000;

export const throttleDelay = (ms: number) => Math.min(MAX_THROTTLE_DELAY_MS, Math.max(MIN_THROTTLE_DELAY_MS, Math.ceil(ms)));
