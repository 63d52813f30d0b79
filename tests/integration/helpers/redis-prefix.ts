import { Redis } from "ioredis";

/**
 * Fault tests delete Redis keys and run their own workers, so each file uses a prefix of its own
 * (set in `vi.hoisted`, before lib/env.ts reads the environment, and passed to its workers):
 * `weft-test-<name>-<pid>`, which the integration global setup also clears.
 */
export const testPrefix = (name: string, pid: number) => `weft-test-${name}-${pid}`;

/** Deletes every key under the prefix (what a Redis that lost its data looks like to us). */
export async function deleteRedisKeys(prefix: string): Promise<number> {
  const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
  try {
    let deleted = 0;
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "MATCH", `${prefix}:*`, "COUNT", 1000);
      cursor = next;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== "0");
    return deleted;
  } finally {
    redis.disconnect();
  }
}
