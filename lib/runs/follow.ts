import { db, poolOf } from "@/lib/db/client";
import type { RunEvent } from "@/lib/engine/run-ports";
import { runEventHub, type RunEventHub, type RunWatcher } from "./event-hub";
import { RUN_END_STATUSES, eventsRedis, readPartials } from "./events";

interface StepRef {
  nodeId: string;
  iteration: number;
  status: string;
}

/**
 * How long a live watcher goes without any event before it checks PostgreSQL for a run that ended
 * unheard (a lost pub/sub message). Events reset the timer, so nothing is polled while they flow.
 */
export const FOLLOW_SILENCE_MS = 10_000;

/** The run's status, null when there is no such run: the one small read of the lost-message fallback. */
export async function readRunStatus(runId: string): Promise<string | null> {
  const result = await poolOf(db()).query<{ status: string }>(`SELECT status FROM runs WHERE id = $1`, [runId]);
  return result.rows[0]?.status ?? null;
}

export const isRunOver = (status: string | null) => status === null || RUN_END_STATUSES.has(status);

/**
 * A subscription to a run taken before the run is created (its creator subscribes, then writes and
 * queues it), handed to followRun afterwards: nothing published meanwhile is lost, and the run's
 * first snapshot is known (queued, no steps), so followRun reads none.
 */
export interface EarlySubscription {
  /** Hands the events received so far, then every later one, to `watcher`. */
  attach(watcher: RunWatcher): void;
  leave(): void;
}

export async function subscribeBeforeCreate(runId: string, hub: RunEventHub = runEventHub()): Promise<EarlySubscription> {
  let attached: RunWatcher | undefined;
  const missed: ((watcher: RunWatcher) => void)[] = [];
  const leave = await hub.subscribe(runId, {
    onEvent: (event) => (attached ? attached.onEvent(event) : void missed.push((w) => w.onEvent(event))),
    onGap: () => (attached ? attached.onGap?.() : void missed.push((w) => w.onGap?.())),
  });
  return {
    attach(watcher) {
      attached = watcher;
      for (const replay of missed.splice(0)) replay(watcher);
    },
    leave,
  };
}

/**
 * Follows one run for a live watcher (the editor's SSE route and the public API stream) on the
 * process's shared subscriber (lib/runs/event-hub.ts): subscribes before the snapshot is read so
 * nothing published in between is missed, reads the streamed text of running steps, and drops
 * what the snapshot already covers: the `running` event of a step the snapshot knows (replaying it
 * would reset its text) and deltas whose byte offset lies inside the partial text already
 * delivered. If the run goes quiet for `silenceMs` (or the subscriber reconnected), its status is
 * read; a run that ended unheard gets a final snapshot. Returns the unsubscribe function.
 */
export async function followRun<S>(
  runId: string,
  watcher: {
    load: () => Promise<S | null>;
    steps: (snapshot: S) => StepRef[];
    onSnapshot: (snapshot: S | null, partials: Map<string, string>) => void;
    onEvent: (event: RunEvent) => void;
  },
  options: {
    hub?: RunEventHub;
    silenceMs?: number;
    readStatus?: (runId: string) => Promise<string | null>;
    /** The run was created after this subscription was taken: `snapshot` is what it was then (nothing is read). */
    early?: { subscription: EarlySubscription; snapshot: S };
  } = {},
): Promise<() => Promise<void>> {
  const silenceMs = options.silenceMs ?? FOLLOW_SILENCE_MS;
  const readStatus = options.readStatus ?? readRunStatus;
  const sentBytes = new Map<string, number>();
  const buffered: RunEvent[] = [];
  let live = false;
  let stopped = false;
  let silence: ReturnType<typeof setTimeout> | undefined;
  const deliver = (event: RunEvent) => {
    if (event.type === "delta" && event.offset !== undefined && event.offset < (sentBytes.get(`${event.nodeId}:${event.iteration}`) ?? 0)) return;
    watcher.onEvent(event);
  };
  const quiet = () => {
    clearTimeout(silence);
    if (!stopped) silence = setTimeout(recheck, silenceMs);
  };
  /** The fallback: a run that ended while its last events were lost is shown as PostgreSQL has it. */
  const recheck = () => {
    if (stopped || !live) return;
    readStatus(runId)
      .then(async (status) => {
        if (stopped) return;
        if (!isRunOver(status)) return quiet();
        stopped = true;
        watcher.onSnapshot(await watcher.load(), new Map());
      })
      .catch(() => quiet());
  };

  const handlers: RunWatcher = {
    onEvent: (event) => {
      if (!live) return void buffered.push(event);
      quiet();
      deliver(event);
    },
    onGap: recheck,
  };
  const early = options.early;
  if (early) early.subscription.attach(handlers);
  const leave = early ? early.subscription.leave : await (options.hub ?? runEventHub()).subscribe(runId, handlers);
  const stop = async () => {
    stopped = true;
    clearTimeout(silence);
    leave();
  };
  try {
    const snapshot = early ? early.snapshot : await watcher.load();
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
    quiet();
  } catch (error) {
    await stop();
    throw error;
  }
  return stop;
}
