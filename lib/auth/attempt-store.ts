import { createHash } from "node:crypto";
import type { Redis } from "ioredis";

/** One counted attempt: how many in the current window, and seconds until that window ends. */
export interface Hit {
  count: number;
  resetSeconds: number;
}

/**
 * Counters and locks for authentication attempts, shared by every web process through Redis
 * (an in-memory map would give each process its own budget and forget it on restart).
 */
export interface AttemptStore {
  /** Counts one attempt against `key` in a fixed window of `windowSeconds` starting at its first attempt. */
  hit(key: string, windowSeconds: number): Promise<Hit>;
  /** Sets a lock for `seconds`; false when one was already set (so the caller reports it once). */
  lock(key: string, seconds: number): Promise<boolean>;
  /** Seconds left on a lock, 0 when there is none. */
  lockedFor(key: string): Promise<number>;
  clear(key: string): Promise<void>;
}

export function redisAttemptStore(redis: Redis, prefix: string): AttemptStore {
  const k = (key: string) => `${prefix}:auth:${key}`;
  return {
    async hit(key, windowSeconds) {
      // One round trip, atomic: start the window on the first attempt, count, read what is left.
      const replies = await redis.multi().set(k(key), 0, "EX", windowSeconds, "NX").incr(k(key)).ttl(k(key)).exec();
      const count = Number(replies?.[1]?.[1] ?? 0);
      const ttl = Number(replies?.[2]?.[1] ?? windowSeconds);
      return { count, resetSeconds: ttl > 0 ? ttl : windowSeconds };
    },
    async lock(key, seconds) {
      return (await redis.set(k(key), "1", "EX", seconds, "NX")) === "OK";
    },
    async lockedFor(key) {
      return Math.max(0, await redis.ttl(k(key)));
    },
    async clear(key) {
      await redis.del(k(key));
    },
  };
}

/** Emails in Redis key names are hashed: the keys then say nothing about who tried to sign in. */
export function emailKey(email: string): string {
  return createHash("sha256").update(email.trim().toLowerCase()).digest("base64url").slice(0, 32);
}
