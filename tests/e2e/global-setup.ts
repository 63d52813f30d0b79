import { spawn } from "node:child_process";
import { Redis } from "ioredis";
import { ensureDatabase } from "../../scripts/lib/database";
import { demoReply } from "../../scripts/lib/demo-answers";
import { buildWorker, projectRoot as root, workerArgs } from "../../scripts/lib/worker-command";
import { startOpenAiServer } from "../fixtures/openai-server";
import { E2E_MODEL_PORT, e2eEnv } from "./env";

/** A fresh database, the OpenAI-wire test server and one (compiled) worker process for the e2e run. */
export default async function globalSetup() {
  // Like the web app's `next build` in playwright.config.ts: E2E_SKIP_BUILD reuses the last build.
  if (!process.env.E2E_SKIP_BUILD) buildWorker();
  await ensureDatabase(e2eEnv.DATABASE_URL, { reset: true, quiet: true });
  const redis = new Redis(e2eEnv.REDIS_URL);
  const keys = await redis.keys(`${e2eEnv.WEFT_REDIS_PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();

  // Unscripted structured-output requests (Classifier, Parameter extractor) get a valid answer the
  // way the offline demo model gives one (scripts/demo-model.ts); everything else is the echo.
  const model = await startOpenAiServer({ port: E2E_MODEL_PORT, host: "127.0.0.1", models: ["e2e-model"], chunkDelayMs: 60, reply: demoReply });

  const worker = spawn(process.execPath, workerArgs(), {
    cwd: root,
    env: { ...process.env, ...e2eEnv },
    stdio: ["ignore", "inherit", "inherit"],
  });

  return async () => {
    worker.kill("SIGTERM");
    await model.close();
  };
}
