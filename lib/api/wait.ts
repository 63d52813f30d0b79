import { subscribeToRun } from "@/lib/runs/events";
import { getRunView } from "./runs";
import { TERMINAL_RUN_STATUSES, type RunView } from "./schemas";

/** How often the waiter re-reads PostgreSQL in case a pub/sub message was lost. */
const RECHECK_MS = 1_000;

/**
 * Waits until the run finishes or `timeoutMs` passes, and returns the run as PostgreSQL has it.
 * The terminal `run` event on the run's Redis channel wakes the waiter at once; a periodic
 * PostgreSQL re-check covers lost messages (pub/sub is fire-and-forget). The subscription opens
 * before the first read, so a run finishing in between is not missed.
 */
export async function waitForRunEnd(workspaceId: string, runId: string, timeoutMs: number, signal?: AbortSignal): Promise<RunView | null> {
  let wake: () => void = () => undefined;
  const unsubscribe = await subscribeToRun(runId, (event) => {
    if (event.type === "run" && TERMINAL_RUN_STATUSES.includes(event.status)) wake();
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      const view = await getRunView(workspaceId, runId);
      if (!view || TERMINAL_RUN_STATUSES.includes(view.status)) return view;
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted) return view;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(RECHECK_MS, left));
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
        signal?.addEventListener("abort", wake, { once: true });
      });
    }
  } finally {
    await unsubscribe();
  }
}
