import type { Redis } from "ioredis";
import type { RunEvent } from "@/lib/engine/run-ports";
import { createRedis, redisPrefix } from "@/lib/queue/redis";

/**
 * Live run events: worker → Redis pub/sub channel per run → SSE route → browser.
 * Pub/sub is fire-and-forget by design; PostgreSQL holds the truth and every subscriber
 * starts from a snapshot read there.
 */
export const runChannel = (runId: string) => `${redisPrefix()}:run-events:${runId}`;

export function createRunEventPublisher(redis: Redis) {
  return {
    publish(runId: string, event: RunEvent): void {
      redis.publish(runChannel(runId), JSON.stringify(event)).catch(() => {
        // A lost live event is harmless: watchers re-read the snapshot on reconnect.
      });
    },
  };
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
