import type { Redis, Result } from "ioredis";
import type { RunEvent } from "@/lib/engine/run-ports";
import { createRedis, redisPrefix } from "@/lib/queue/redis";
import { createDeltaCoalescer } from "./delta-coalescer";
import { PUBLISH_RUN_EVENTS_LUA, encodeRunEvents } from "./event-message";
import { runEventHub } from "./event-hub";

/**
 * Live run events: worker → Redis pub/sub channel per run → SSE route → browser.
 * Pub/sub is fire-and-forget by design; PostgreSQL holds the truth and every subscriber
 * starts from a snapshot read there.
 */
export const runChannel = (runId: string) => `${redisPrefix()}:run-events:${runId}`;

/**
 * Every run's end (succeeded, failed, cancelled) is also told on one channel, which each process
 * that waits for ends subscribes to once (lib/runs/event-hub.ts `watchEnd`): a waiter that only
 * needs the end (a synchronous API call or webhook, a workflow tool) costs no Redis command.
 */
export const runEndsChannel = () => `${redisPrefix()}:run-ends`;
/** The statuses a run ends with. */
export const RUN_END_STATUSES: ReadonlySet<string> = new Set(["succeeded", "failed", "cancelled"]);

/**
 * The largest view (JSON text) a run's end message carries: every process that waits for ends
 * receives every end message, so a larger view stays out and its waiter reads the run instead.
 */
export const MAX_END_VIEW_CHARS = 64 * 1024;

/**
 * The message on runEndsChannel for a run's end; `view` is the run's public view as JSON text
 * (built by PostgreSQL in the run's final statement, lib/runs/run-view-sql.ts), carried as it is.
 */
export function runEndMessage(runId: string, status: string, view?: string): string {
  const end = JSON.stringify({ type: "run-end", runId, status });
  return view === undefined || view.length > MAX_END_VIEW_CHARS ? end : `${end.slice(0, -1)},"view":${view}}`;
}

/** The status of the run's end among its events, if they hold it. */
export function endAmong(events: RunEvent[]): string | undefined {
  for (const event of events) if (event.type === "run" && RUN_END_STATUSES.has(event.status)) return event.status;
  return undefined;
}

/**
 * Streamed text of a running step, kept briefly in Redis so a watcher that subscribes after the
 * first tokens (the usual case: the browser connects once the run has started) still sees them.
 */
export const partialKey = (runId: string, nodeId: string, iteration: number) => `${redisPrefix()}:run-partial:${runId}:${nodeId}:${iteration}`;
const PARTIAL_TTL_SECONDS = 3600;

/**
 * One message per run per batch: a run's events of one batch (a pure node's steps are released
 * together with the run's end) travel as one message, in order, instead of one PUBLISH each.
 * Watchers accept a single event or an array (lib/runs/event-hub.ts).
 */
function groupByRun(batch: { runId: string; event: RunEvent }[]): Map<string, RunEvent[]> {
  const byRun = new Map<string, RunEvent[]>();
  for (const { runId, event } of batch) {
    const events = byRun.get(runId) ?? [];
    events.push(event);
    byRun.set(runId, events);
  }
  return byRun;
}

declare module "ioredis" {
  interface RedisCommander<Context> {
    /** lib/runs/event-message.ts: keeps the batch's partial text and publishes its message. */
    weftPublishRunEvents(numberOfKeys: number, ...keysAndArgs: (string | number)[]): Result<number, Context>;
  }
}

/**
 * How long a run's `running` event may wait for the run's next event (createRunEventPublisher):
 * as long as a lazy step may run unshown (LAZY_RUNNING_MS in step-store.ts), so a live view shows
 * a run and its first step starting together.
 */
export const RUN_START_HOLD_MS = 50;

export function createRunEventPublisher(redis: Redis) {
  redis.defineCommand("weftPublishRunEvents", { lua: PUBLISH_RUN_EVENTS_LUA });
  // Every event of every run goes into one queue, sent in batches: whatever piles up while a batch
  // is in flight leaves as the next batch, in one round trip instead of one per event (a busy
  // worker publishes thousands of events a second). The queue keeps the engine's order, so each
  // run's events keep theirs.
  let queue: { runId: string; event: RunEvent }[] = [];
  let sending: Promise<void> | undefined;
  /** Views to tell with runs' ends still queued (see publish). */
  const endViews = new Map<string, string>();

  /**
   * One script call per run, pipelined: the partial text of streaming steps (appended, or cleared
   * for a step that starts) and the run's message with each delta's byte offset, in one round trip.
   */
  async function sendBatch(batch: { runId: string; event: RunEvent }[]): Promise<void> {
    const pipeline = redis.pipeline();
    for (const [runId, events] of groupByRun(batch)) {
      const { keys, ops, texts, fragments } = encodeRunEvents(events, (nodeId, iteration) => partialKey(runId, nodeId, iteration));
      pipeline.weftPublishRunEvents(keys.length, ...keys, runChannel(runId), PARTIAL_TTL_SECONDS, ops, ...texts, ...fragments);
      const end = endAmong(events);
      if (end) {
        pipeline.publish(runEndsChannel(), runEndMessage(runId, end, endViews.get(runId)));
        endViews.delete(runId);
      }
    }
    await pipeline.exec();
  }

  async function drain(): Promise<void> {
    // Let the events of this turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (queue.length > 0) {
      const batch = queue;
      queue = [];
      await sendBatch(batch).catch(() => {
        // A lost live event is harmless: watchers re-read the snapshot (and partial text) on reconnect.
      });
    }
    sending = undefined;
  }

  const enqueue = (runId: string, event: RunEvent) => {
    queue.push({ runId, event });
    sending ??= drain();
  };

  // A run's start waits up to RUN_START_HOLD_MS for the run's next event and leaves with it: a
  // short run (most API calls) tells its start, steps and end in one message and one round trip
  // instead of two. Any later event of the run releases it first, so the run's order holds.
  const heldStarts = new Map<string, { event: RunEvent; timer: NodeJS.Timeout }>();
  const releaseStart = (runId: string) => {
    const held = heldStarts.get(runId);
    if (!held) return;
    heldStarts.delete(runId);
    clearTimeout(held.timer);
    enqueue(runId, held.event);
  };

  // Streamed text is joined per step over a short window before it is queued (delta-coalescer.ts).
  const coalescer = createDeltaCoalescer((runId, event) => {
    releaseStart(runId);
    enqueue(runId, event);
  });

  return {
    /** `endView`: the run's view (JSON text), told with its end on runEndsChannel only, not on the run's own channel. */
    publish(runId: string, event: RunEvent, endView?: string): void {
      if (endView !== undefined && event.type === "run" && RUN_END_STATUSES.has(event.status)) endViews.set(runId, endView);
      if (event.type === "run" && event.status === "running" && !heldStarts.has(runId)) {
        heldStarts.set(runId, { event, timer: setTimeout(() => releaseStart(runId), RUN_START_HOLD_MS) });
        return;
      }
      coalescer.publish(runId, event);
    },
    /** Sends the text and starts still held and waits until every queued event has left (before the connection closes). */
    async flush(): Promise<void> {
      for (const runId of [...heldStarts.keys()]) releaseStart(runId);
      coalescer.flush();
      await sending;
    },
  };
}

/** The streamed text so far of each given running step, by `${nodeId}:${iteration}`. */
export async function readPartials(redis: Redis, runId: string, steps: { nodeId: string; iteration: number }[]): Promise<Map<string, string>> {
  const partials = new Map<string, string>();
  if (steps.length === 0) return partials;
  const values = await redis.mget(...steps.map((s) => partialKey(runId, s.nodeId, s.iteration)));
  steps.forEach((step, index) => {
    const value = values[index];
    if (value) partials.set(`${step.nodeId}:${step.iteration}`, value);
  });
  return partials;
}

/**
 * Subscribes to one run's events through the process's shared hub (lib/runs/event-hub.ts): no
 * connection of its own. Resolves once the subscription is confirmed; returns the unsubscribe function.
 */
export async function subscribeToRun(runId: string, onEvent: (event: RunEvent) => void): Promise<() => Promise<void>> {
  const leave = await runEventHub().subscribe(runId, { onEvent });
  return async () => leave();
}

const holder = globalThis as unknown as { __weftEventsRedis?: Redis };
/** A plain (non-subscriber) connection for reads made by watchers, shared by the process. */
export function eventsRedis(): Redis {
  holder.__weftEventsRedis ??= createRedis();
  return holder.__weftEventsRedis;
}
