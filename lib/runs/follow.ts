import type { RunEvent } from "@/lib/engine/run-ports";
import { eventsRedis, readPartials, subscribeToRun } from "./events";

interface StepRef {
  nodeId: string;
  iteration: number;
  status: string;
}

/**
 * Follows one run for a live watcher (the editor's SSE route and the public API stream):
 * subscribes before the snapshot is read so nothing published in between is missed, reads the
 * streamed text of running steps, and drops what the snapshot already covers: the `running`
 * event of a step the snapshot knows (replaying it would reset its text) and deltas whose byte
 * offset lies inside the partial text already delivered. Returns the unsubscribe function.
 */
export async function followRun<S>(
  runId: string,
  watcher: {
    load: () => Promise<S | null>;
    steps: (snapshot: S) => StepRef[];
    onSnapshot: (snapshot: S | null, partials: Map<string, string>) => void;
    onEvent: (event: RunEvent) => void;
  },
): Promise<() => Promise<void>> {
  const sentBytes = new Map<string, number>();
  const buffered: RunEvent[] = [];
  let live = false;
  const deliver = (event: RunEvent) => {
    if (event.type === "delta" && event.offset !== undefined && event.offset < (sentBytes.get(`${event.nodeId}:${event.iteration}`) ?? 0)) return;
    watcher.onEvent(event);
  };

  const stop = await subscribeToRun(runId, (event) => (live ? deliver(event) : buffered.push(event)));
  try {
    const snapshot = await watcher.load();
    const steps = snapshot ? watcher.steps(snapshot) : [];
    const running = steps.filter((s) => s.status === "running");
    const partials = await readPartials(eventsRedis(), runId, running).catch(() => new Map<string, string>());
    for (const [key, text] of partials) sentBytes.set(key, Buffer.byteLength(text));
    watcher.onSnapshot(snapshot, partials);
    const known = new Set(steps.map((s) => `${s.nodeId}:${s.iteration}`));
    for (const event of buffered) {
      if (event.type === "step" && event.status === "running" && known.has(`${event.nodeId}:${event.iteration}`)) continue;
      deliver(event);
    }
    live = true;
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}
