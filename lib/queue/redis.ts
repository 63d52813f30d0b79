import { Redis, type RedisOptions } from "ioredis";
import { env } from "@/lib/env";

/**
 * Redis connections. BullMQ workers and subscribers need their own connection each, with
 * `maxRetriesPerRequest: null` so a blocked command is never given up on during a Redis blip.
 */
export function createRedis(options: RedisOptions = {}): Redis {
  return new Redis(env().REDIS_URL, { maxRetriesPerRequest: null, enableReadyCheck: true, ...options });
}

/** Key prefix shared by BullMQ and the event channels, so several instances can share one Redis. */
export const redisPrefix = () => env().WEFT_REDIS_PREFIX;
