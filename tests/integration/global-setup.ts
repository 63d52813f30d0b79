import { Redis } from "ioredis";
import { ensureDatabase } from "../../scripts/lib/database";
import { integrationEnv } from "../../vitest.config";

/** A fresh, migrated test database and an empty Redis prefix for every integration run. */
export default async function setup() {
  await ensureDatabase(integrationEnv.DATABASE_URL, { reset: true, quiet: true });
  const redis = new Redis(integrationEnv.REDIS_URL);
  const keys = await redis.keys(`${integrationEnv.WEFT_REDIS_PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
}
