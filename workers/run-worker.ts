import { db } from "@/lib/db/client";
import { env } from "@/lib/env";
import { logger } from "@/lib/log";
import { createChatService } from "@/lib/models/chat-service";
import { createHttpService } from "@/lib/nodes/http/client";
import { startRunWorker } from "@/lib/runs/worker";

/** Entry point of a run worker process. Start as many as you like; they share the queue. */
const log = logger.child({ service: "worker" });
const http = createHttpService({ allowPrivate: env().WEFT_ALLOW_PRIVATE_NETWORK });
const running = startRunWorker({
  db: db(),
  servicesFor: (workspaceId) => ({ chat: createChatService({ db: db(), workspaceId }), http }),
  concurrency: env().WEFT_WORKER_CONCURRENCY,
  log,
});
log.info({ workerId: running.workerId, concurrency: env().WEFT_WORKER_CONCURRENCY }, "worker started");

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "worker stopping: finishing in-flight runs");
  const force = setTimeout(() => {
    log.warn({}, "in-flight runs did not finish in time; exiting (another worker resumes them)");
    process.exit(1);
  }, 30_000);
  force.unref();
  await running.close();
  await db().$disconnect();
  log.info({}, "worker stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
