import type { Redis } from "ioredis";
import { z } from "zod";
import { createRedis, redisPrefix } from "@/lib/queue/redis";

/**
 * The control channel from the web app to the workers: one Redis pub/sub channel for every
 * worker, carrying "cancel run X". Fire-and-forget like the event channel: the status in
 * PostgreSQL is the truth, and workers also check it before every step (step-store) and poll it
 * for their active runs, so a lost message only delays the abort.
 */
export const controlChannel = () => `${redisPrefix()}:run-control`;

export const ControlMessageSchema = z.object({ type: z.literal("cancel"), runId: z.string().min(1) });
export type ControlMessage = z.infer<typeof ControlMessageSchema>;

const holder = globalThis as unknown as { __weftControlRedis?: Redis };

/** Publishes a control message on a shared connection (created on first use). */
export async function publishControl(message: ControlMessage, redis?: Redis): Promise<void> {
  const connection = redis ?? (holder.__weftControlRedis ??= createRedis());
  await connection.publish(controlChannel(), JSON.stringify(message));
}

/** Subscribes to control messages on a connection of its own; returns a function that closes it. */
export async function subscribeToControl(onMessage: (message: ControlMessage) => void): Promise<() => Promise<void>> {
  const subscriber = createRedis({ lazyConnect: true });
  await subscriber.connect();
  const channel = controlChannel();
  subscriber.on("message", (received: string, raw: string) => {
    if (received !== channel) return;
    try {
      const parsed = ControlMessageSchema.safeParse(JSON.parse(raw));
      if (parsed.success) onMessage(parsed.data);
    } catch {
      // A malformed message is ignored; the database status still wins.
    }
  });
  await subscriber.subscribe(channel);
  return async () => {
    await subscriber.unsubscribe(channel).catch(() => undefined);
    subscriber.disconnect();
  };
}
