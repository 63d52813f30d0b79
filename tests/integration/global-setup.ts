import { Redis } from "ioredis";
import { ensureDatabase } from "../../scripts/lib/database";
import { buildWorker } from "../../scripts/lib/worker-command";
import { integrationEnv } from "../../vitest.config";

/**
 * A fresh, migrated test database, an empty Redis prefix and a fresh worker build for every
 * integration run: worker processes run the compiled bundle, built here from the sources under test.
 */
export default async function setup() {
  buildWorker();
  await ensureDatabase(integrationEnv.DATABASE_URL, { reset: true, quiet: true });
  const redis = new Redis(integrationEnv.REDIS_URL);
  const keys = await redis.keys(`${integrationEnv.WEFT_REDIS_PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
}
