import { Redis, type RedisOptions } from "ioredis";
import { env } from "@/lib/env";
import { countRedis } from "@/lib/metrics/io-counters";

/**
 * Redis connections. BullMQ workers and subscribers need their own connection each, with
 * `maxRetriesPerRequest: null` so a blocked command is never given up on during a Redis blip.
 */
export function createRedis(options: RedisOptions = {}): Redis {
  // Named like the database connections, so an operator (or a fault test) can find a process's connections in CLIENT LIST.
  const redis = new Redis(env().REDIS_URL, { maxRetriesPerRequest: null, enableReadyCheck: true, connectionName: env().WEFT_DB_APPLICATION_NAME, ...options });
  const countersDir = env().WEFT_BENCH_COUNTERS_DIR;
  if (countersDir) countRedis(redis, countersDir);
  return redis;
}

/** Key prefix shared by BullMQ and the event channels, so several instances can share one Redis. */
export const redisPrefix = () => env().WEFT_REDIS_PREFIX;
