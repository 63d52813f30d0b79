import { runEventHub, type RunEventHub } from "@/lib/runs/event-hub";
import { isRunOver, readRunStatus } from "@/lib/runs/follow";
import { getRunView, toldRunView } from "./runs";
import type { RunView } from "./schemas";

/**
 * How long a waiter goes without its run's end (or, once it follows the run's own channel, without
 * any event of the run) before it re-reads the run's status from PostgreSQL: the fallback for a
 * lost pub/sub message. While the run's events flow nothing is polled.
 */
export const SILENCE_RECHECK_MS = 5_000;

const isTerminal = isRunOver;

export interface RunEndWatch {
  /**
   * Resolves when the run has ended (its terminal `run` event, or the fallback read), when
   * `timeoutMs` passes or when `signal` aborts; true when it ended.
   */
  ended(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /** The run's view as its end message told it (unchecked), if it did. */
  toldView(): unknown;
  close(): void;
}

/**
 * Watches one run's end through the process's shared hub: on the channel of every run's end, so
 * a short run costs no Redis command. Open it before the run can finish — before it is enqueued,
 * or before the first status read — so the end cannot slip between the read and the watch.
 *
 * A lost message is caught by a status read after `silenceMs` without the end. A run still going
 * then is followed on its own channel too, whose events restart that timer: a long run is not
 * polled while its events flow.
 */
export async function watchRunEnd(
  runId: string,
  options: { hub?: RunEventHub; silenceMs?: number; readStatus?: (runId: string) => Promise<string | null> } = {},
): Promise<RunEndWatch> {
  const hub = options.hub ?? runEventHub();
  const silenceMs = options.silenceMs ?? SILENCE_RECHECK_MS;
  const readStatus = options.readStatus ?? readRunStatus;
  let finished = false;
  let told: unknown;
  let closed = false;
  let wake: () => void = () => undefined;
  let recheck: () => void = () => undefined;
  let resetSilence: () => void = () => undefined;
  const onEnd = (status: string, view?: unknown) => {
    if (!isTerminal(status)) return;
    finished = true;
    told ??= view;
    wake();
  };
  const leaveEnd = await hub.watchEnd(runId, { onEnd, onGap: () => recheck() });

  let leaveRun: (() => void) | undefined;
  let following = false;
  const followEvents = () => {
    if (following || closed) return;
    following = true;
    hub
      .subscribe(runId, {
        onEvent: (event) => {
          if (event.type === "run") onEnd(event.status);
          // Any event proves the channel is alive: the silence timer starts again (see ended()).
          resetSilence();
        },
        onGap: () => recheck(),
      })
      .then(
        (leave) => (closed ? leave() : (leaveRun = leave)),
        () => (following = false),
      );
  };

  return {
    toldView: () => told,
    close: () => {
      closed = true;
      leaveEnd();
      leaveRun?.();
    },
    async ended(timeoutMs, signal) {
      if (finished) return true;
      const deadline = Date.now() + timeoutMs;
      return new Promise<boolean>((resolve) => {
        let silence: ReturnType<typeof setTimeout> | undefined;
        const done = (ended: boolean) => {
          clearTimeout(silence);
          clearTimeout(timeout);
          signal?.removeEventListener("abort", aborted);
          wake = () => undefined;
          resetSilence = () => undefined;
          recheck = () => undefined;
          resolve(ended);
        };
        const aborted = () => done(false);
        const check = () => {
          readStatus(runId).then(
            (status) => {
              if (isTerminal(status)) return done(true);
              followEvents();
              resetSilence();
            },
            () => resetSilence(),
          );
        };
        resetSilence = () => {
          clearTimeout(silence);
          silence = setTimeout(check, Math.min(silenceMs, Math.max(0, deadline - Date.now())));
        };
        wake = () => done(true);
        recheck = check;
        const timeout = setTimeout(() => done(finished), timeoutMs);
        if (signal?.aborted) return done(false);
        signal?.addEventListener("abort", aborted, { once: true });
        resetSilence();
      });
    },
  };
}

/**
 * Waits until the run finishes or `timeoutMs` passes, and returns the run as PostgreSQL has it: the
 * view its end message brought (built by the run's final statement, when its job asked for it), or
 * else read once, at the end. Subscribes first, then reads the status once, so a run that finished
 * before the subscription is seen at once. Pass `watch` when it was opened before the run existed
 * (then the first status read is skipped: the run cannot have ended before it was enqueued).
 */
export async function waitForRunEnd(workspaceId: string, runId: string, timeoutMs: number, signal?: AbortSignal, watch?: RunEndWatch): Promise<RunView | null> {
  const own = watch ?? (await watchRunEnd(runId));
  try {
    if (watch || !isTerminal(await readRunStatus(runId))) await own.ended(timeoutMs, signal);
  } finally {
    own.close();
  }
  const told = own.toldView();
  return (told !== undefined ? toldRunView(workspaceId, runId, told) : null) ?? getRunView(workspaceId, runId);
}
