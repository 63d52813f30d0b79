import type { Redis } from "ioredis";
import type { RunEvent } from "@/lib/engine/run-ports";
import { createRedis, redisPrefix } from "@/lib/queue/redis";

/**
 * Live run events: worker → Redis pub/sub channel per run → SSE route → browser.
 * Pub/sub is fire-and-forget by design; PostgreSQL holds the truth and every subscriber
 * starts from a snapshot read there.
 */
export const runChannel = (runId: string) => `${redisPrefix()}:run-events:${runId}`;

/**
 * Streamed text of a running step, kept briefly in Redis so a watcher that subscribes after the
 * first tokens (the usual case: the browser connects once the run has started) still sees them.
 */
export const partialKey = (runId: string, nodeId: string, iteration: number) => `${redisPrefix()}:run-partial:${runId}:${nodeId}:${iteration}`;
const PARTIAL_TTL_SECONDS = 3600;

export function createRunEventPublisher(redis: Redis) {
  const send = (runId: string, event: RunEvent) => redis.publish(runChannel(runId), JSON.stringify(event));
  // One chain per run keeps its events in the order the engine emitted them, even though a
  // delta first waits for its append (to learn its offset). Runs do not wait for each other.
  const tails = new Map<string, Promise<unknown>>();
  const enqueue = (runId: string, work: () => Promise<unknown>) => {
    const next = (tails.get(runId) ?? Promise.resolve()).then(work).catch(() => {
      // A lost live event is harmless: watchers re-read the snapshot (and partial text) on reconnect.
    });
    tails.set(runId, next);
    void next.then(() => {
      if (tails.get(runId) === next) tails.delete(runId);
    });
  };
  return {
    publish(runId: string, event: RunEvent): void {
      enqueue(runId, async () => {
        if (event.type === "delta") {
          const key = partialKey(runId, event.nodeId, event.iteration);
          const results = await redis.multi().append(key, event.text).expire(key, PARTIAL_TTL_SECONDS).exec();
          const length = Number(results?.[0]?.[1] ?? 0);
          return send(runId, { ...event, offset: length - Buffer.byteLength(event.text) });
        }
        if (event.type === "step" && event.status === "running") {
          // A step that runs again (retry, resume after a crash) streams afresh.
          await redis.del(partialKey(runId, event.nodeId, event.iteration));
        }
        return send(runId, event);
      });
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

/** Subscribes to one run's events; returns an unsubscribe function that closes the connection. */
export async function subscribeToRun(runId: string, onEvent: (event: RunEvent) => void): Promise<() => Promise<void>> {
  const subscriber = createRedis({ lazyConnect: true });
  await subscriber.connect();
  const channel = runChannel(runId);
  subscriber.on("message", (received: string, message: string) => {
    if (received !== channel) return;
    try {
      onEvent(JSON.parse(message) as RunEvent);
    } catch {
      // Ignore a malformed message rather than break the stream.
    }
  });
  await subscriber.subscribe(channel);
  return async () => {
    await subscriber.unsubscribe(channel).catch(() => undefined);
    subscriber.disconnect();
  };
}

const holder = globalThis as unknown as { __weftEventsRedis?: Redis };
/** A plain (non-subscriber) connection for reads made by watchers, shared by the process. */
export function eventsRedis(): Redis {
  holder.__weftEventsRedis ??= createRedis();
  return holder.__weftEventsRedis;
}
