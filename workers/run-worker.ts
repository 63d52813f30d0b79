import { warnIfAutovacuumOff } from "@/lib/db/autovacuum-warning";
import { db, poolOf } from "@/lib/db/client";
import { env } from "@/lib/env";
import { logger } from "@/lib/log";
import { createChatService } from "@/lib/models/chat-service";
import { warnIfPrivateNetworkOpen } from "@/lib/net/private-network-warning";
import { getNetworkAllowList } from "@/lib/net/workspace-allow-list";
import { createHttpService } from "@/lib/nodes/http/client";
import { createSandboxPool } from "@/lib/sandbox/pool";
import { shutdownMcpPool } from "@/lib/tools/mcp/pool";
import { createSecretResolver, runActorRole } from "@/lib/secrets/resolver";
import { createToolPort } from "@/lib/tools/port";
import { startRunWorker } from "@/lib/runs/worker";
import { createHeldWaitPort } from "@/lib/runs/held-waits";
import { startRunTelemetry } from "@/lib/telemetry";
import { createSubworkflowPort } from "@/lib/runs/subworkflows";
import { startKnowledgeWorker } from "@/lib/knowledge/worker";
import { createKnowledgePort } from "@/lib/knowledge/port";
import { storage } from "@/lib/storage";
import { startScheduleWorker } from "@/lib/triggers/schedule-worker";
import { createMemoryPort } from "@/lib/chat/memory-port";

/** Entry point of a run worker process. Start as many as you like; they share the queue. */
const log = logger.child({ service: "worker" });
const config = env();
warnIfPrivateNetworkOpen(log, config.WEFT_ALLOW_PRIVATE_NETWORK, "worker");
void warnIfAutovacuumOff(poolOf(db()), log, "worker");
// Long-lived JavaScript sandboxes (isolated-vm isolates in child processes) for Code nodes and
// code tools, started now so that no Code job waits for a process to start.
const sandbox = createSandboxPool({
  processes: config.WEFT_SANDBOX_PROCESSES,
  jobsPerProcess: config.WEFT_SANDBOX_JOBS_PER_PROCESS,
  queueLimit: config.WEFT_SANDBOX_QUEUE,
  log,
});
// OpenTelemetry traces of finished runs, when an OTLP endpoint is configured (null, and nothing loaded, otherwise).
const telemetry = startRunTelemetry({ db: db(), config, log });
const running = startRunWorker({
  db: db(),
  // Called once per run: the secret resolver holds that run's redaction list.
  // Role-restricted secrets are checked against the run's initiator (lib/secrets/resolver.ts).
  servicesFor: (workspaceId, runId) => {
    const secrets = createSecretResolver(db(), workspaceId, { actorRole: runActorRole(db(), workspaceId, runId) });
    const chat = createChatService({ db: db(), workspaceId });
    // Waits a step holds open while it keeps running (MCP elicitation, an Agent's tool approval).
    const heldWaits = createHeldWaitPort(db(), workspaceId);
    return {
      chat,
      heldWaits,
      // The workspace's network allow-list is read per request (an admin's change applies to the next one).
      http: createHttpService({ allowPrivate: config.WEFT_ALLOW_PRIVATE_NETWORK, allowList: () => getNetworkAllowList(db(), workspaceId) }),
      // Per workspace: Code jobs reuse sandbox isolates only with jobs of their own workspace.
      runCode: sandbox.forWorkspace(workspaceId),
      secrets,
      // Tools share the run's secret resolver, so values they resolve are redacted everywhere in the run.
      // MCP sampling is answered through the run's own chat service (the LLM node's path).
      tools: createToolPort({ db: db(), workspaceId, allowPrivate: config.WEFT_ALLOW_PRIVATE_NETWORK, runCode: sandbox.forWorkspace(workspaceId), secrets, chat, heldWaits }),
      subworkflows: createSubworkflowPort(db(), workspaceId),
      knowledge: createKnowledgePort({ db: db() }, workspaceId),
      // Summaries of conversation memory, kept with the chat conversation of the run.
      memory: createMemoryPort(db(), workspaceId, runId),
    };
  },
  concurrency: config.WEFT_WORKER_CONCURRENCY,
  lockDurationMs: config.WEFT_WORKER_LOCK_MS,
  stalledIntervalMs: config.WEFT_WORKER_STALLED_MS,
  reconcileEveryMs: config.WEFT_RECONCILE_EVERY_MS,
  reconcileMinAgeMs: config.WEFT_RECONCILE_MIN_AGE_MS,
  waitSweepEveryMs: config.WEFT_WAIT_SWEEP_MS,
  onRunFinished: telemetry ? (runId) => telemetry.runFinished(runId) : undefined,
  log,
});
// Knowledge-base ingestion (parse, split, embed) on its own queue and small concurrency, so that
// documents never hold up runs.
const knowledge = startKnowledgeWorker({
  db: db(),
  storage: storage(),
  concurrency: config.WEFT_KNOWLEDGE_CONCURRENCY,
  lockDurationMs: config.WEFT_KNOWLEDGE_LOCK_MS,
  stalledIntervalMs: Math.max(250, Math.round(config.WEFT_KNOWLEDGE_LOCK_MS / 2)),
  log,
});
// Schedule fires (BullMQ job schedulers, reconciled with PostgreSQL at start: lib/triggers/schedule-worker.ts).
const schedules = startScheduleWorker({
  db: db(),
  log,
  graceMs: config.WEFT_SCHEDULE_MISFIRE_GRACE_MS,
  reconcileEveryMs: config.WEFT_RECONCILE_EVERY_MS,
  lockDurationMs: config.WEFT_WORKER_LOCK_MS,
  stalledIntervalMs: config.WEFT_WORKER_STALLED_MS,
});
log.info(
  { workerId: running.workerId, concurrency: config.WEFT_WORKER_CONCURRENCY, lockMs: config.WEFT_WORKER_LOCK_MS, drainMs: config.WEFT_WORKER_DRAIN_MS },
  "worker started",
);
// The queue connection is up: from here the worker takes runs. startupMs counts from process start
// (bench/worker-start.ts measures the same from outside).
void running.worker.waitUntilReady().then(
  () => log.info({ workerId: running.workerId, startupMs: Math.round(performance.now()) }, "worker ready: listening for runs"),
  () => undefined,
);

let stopping = false;
/**
 * SIGTERM/SIGINT: take no new runs, let in-flight steps finish for up to WEFT_WORKER_DRAIN_MS,
 * then hand what is left back to the queue (another worker resumes it from its durable steps).
 */
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  const drainMs = config.WEFT_WORKER_DRAIN_MS;
  log.info({ signal, drainMs }, "worker stopping: finishing in-flight runs");
  // Last resort if even the hand-over hangs: the job lock expires and another worker takes the run.
  const force = setTimeout(() => {
    log.warn({}, "shutdown did not complete in time; exiting (another worker resumes the runs)");
    process.exit(1);
  }, drainMs + 10_000);
  force.unref();
  await Promise.all([running.shutdown(drainMs), knowledge.close(), schedules.close()]);
  // The runs finished during the drain are exported too; the flush is bounded (the backend may be down).
  await telemetry?.shutdown(5_000);
  // After the drain: no step needs them any more; their stdio processes must not outlive the worker.
  await shutdownMcpPool();
  sandbox.close();
  await db().$disconnect();
  log.info({}, "worker stopped");
  process.exit(0);
}
process.on("SIGTERM", () => void shutdown("SIGTERM"));
process.on("SIGINT", () => void shutdown("SIGINT"));
