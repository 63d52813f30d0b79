import type { RunEvent } from "@/lib/engine/run-ports";

/**
 * Streamed text leaves the worker at most once per window per step: the first delta of a step at
 * once (time to first token is what people feel), the ones that follow within the window joined
 * into one. A model streams a token every 10–30 ms; sending each as its own Redis round trip, pub/sub
 * message and Server-Sent Event cost more CPU than the rest of a chat turn, and a reader cannot tell
 * 20 updates a second from 50. Every other event first releases the held text of its run, so each
 * run's events keep the engine's order.
 */
export const DELTA_WINDOW_MS = 50;

type Delta = Extract<RunEvent, { type: "delta" }>;
type Emit = (runId: string, event: RunEvent) => void;

interface Held {
  runId: string;
  event: Delta;
  timer: NodeJS.Timeout;
}

export function createDeltaCoalescer(emit: Emit, { windowMs = DELTA_WINDOW_MS, now = () => performance.now() } = {}) {
  /** When each streaming step last sent text, by `runId:nodeId:iteration`. */
  const lastSent = new Map<string, number>();
  const held = new Map<string, Held>();
  const keyOf = (runId: string, event: { nodeId: string; iteration: number }) => `${runId}:${event.nodeId}:${event.iteration}`;

  const release = (key: string) => {
    const entry = held.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    held.delete(key);
    lastSent.set(key, now());
    emit(entry.runId, entry.event);
  };

  const releaseRun = (runId: string) => {
    for (const [key, entry] of held) if (entry.runId === runId) release(key);
  };

  /** A step that stops streaming (or a run that ends) starts afresh next time: no window to remember. */
  const forget = (runId: string, event: RunEvent) => {
    if (event.type === "step" && event.status !== "running") lastSent.delete(keyOf(runId, event));
    else if (event.type === "run") for (const key of lastSent.keys()) if (key.startsWith(`${runId}:`)) lastSent.delete(key);
  };

  function delta(runId: string, event: Delta): void {
    const key = keyOf(runId, event);
    const waiting = held.get(key);
    if (waiting) {
      waiting.event = { ...waiting.event, text: waiting.event.text + event.text };
      return;
    }
    const since = now() - (lastSent.get(key) ?? -Infinity);
    if (since >= windowMs) {
      lastSent.set(key, now());
      emit(runId, event);
      return;
    }
    const timer = setTimeout(() => release(key), windowMs - since);
    timer.unref?.();
    held.set(key, { runId, event, timer });
  }

  return {
    publish(runId: string, event: RunEvent): void {
      if (event.type === "delta") return delta(runId, event);
      releaseRun(runId);
      forget(runId, event);
      emit(runId, event);
    },
    /** Sends every held text now (shutdown). */
    flush(): void {
      for (const key of [...held.keys()]) release(key);
    },
  };
}
