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
  // Events of one run leave in the order the engine emitted them; whatever piles up while a batch
  // is in flight goes out as the next batch, in one or two round trips instead of one per event.
  // Runs do not wait for each other.
  const queues = new Map<string, RunEvent[]>();

  async function sendBatch(runId: string, batch: RunEvent[]): Promise<void> {
    // First the partial-text bookkeeping (a delta needs its byte offset before it is published).
    const prepare = redis.multi();
    const appendAt = new Map<number, number>();
    let commands = 0;
    batch.forEach((event, index) => {
      if (event.type === "delta") {
        const key = partialKey(runId, event.nodeId, event.iteration);
        appendAt.set(index, commands);
        prepare.append(key, event.text).expire(key, PARTIAL_TTL_SECONDS);
        commands += 2;
      } else if (event.type === "step" && event.status === "running") {
        // A step that runs again (retry, resume after a crash) streams afresh.
        prepare.del(partialKey(runId, event.nodeId, event.iteration));
        commands += 1;
      }
    });
    const results = commands > 0 ? await prepare.exec() : null;
    const publish = redis.pipeline();
    batch.forEach((event, index) => {
      const at = appendAt.get(index);
      const sent = event.type === "delta" && at !== undefined ? { ...event, offset: Number(results?.[at]?.[1] ?? 0) - Buffer.byteLength(event.text) } : event;
      publish.publish(runChannel(runId), JSON.stringify(sent));
    });
    await publish.exec();
  }

  async function drain(runId: string, queue: RunEvent[]): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.splice(0, queue.length);
      await sendBatch(runId, batch).catch(() => {
        // A lost live event is harmless: watchers re-read the snapshot (and partial text) on reconnect.
      });
    }
    queues.delete(runId);
  }

  return {
    publish(runId: string, event: RunEvent): void {
      const queue = queues.get(runId);
      if (queue) {
        queue.push(event);
        return;
      }
      const fresh = [event];
      queues.set(runId, fresh);
      void drain(runId, fresh);
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
