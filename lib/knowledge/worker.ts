import { Worker } from "bullmq";
import type { Db } from "@/lib/db/client";
import { createRedis, redisPrefix } from "@/lib/queue/redis";
import type { FileStorage } from "@/lib/storage/types";
import { ingestDocument } from "./ingest";
import { createKnowledgeEventPublisher, progressOf } from "./progress";
import { completeReindexIfDone } from "./reindex";
import { KNOWLEDGE_QUEUE, type KnowledgeJob, KnowledgeJobSchema } from "./queue";

export interface KnowledgeWorkerOptions {
  db: Db;
  storage: FileStorage;
  concurrency: number;
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  log: { info: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void };
}

/**
 * Consumes the knowledge queue (in the run worker process, with its own small concurrency).
 * A job that throws is an infrastructure failure: BullMQ retries it; after the last attempt the
 * document is marked failed so it never stays "parsing" forever.
 */
export function startKnowledgeWorker(options: KnowledgeWorkerOptions) {
  const { db, storage, log } = options;
  const shutdown = new AbortController();
  // Progress events (lib/knowledge/progress.ts) on a connection of their own: a BullMQ connection blocks.
  const events = createRedis();
  const progress = createKnowledgeEventPublisher(events);
  const worker = new Worker<KnowledgeJob>(
    KNOWLEDGE_QUEUE,
    async (job) => {
      const { documentId } = KnowledgeJobSchema.parse(job.data);
      await ingestDocument(documentId, { db, storage, signal: shutdown.signal, progress });
    },
    {
      connection: createRedis(),
      prefix: redisPrefix(),
      concurrency: options.concurrency,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 15_000,
      // A job whose worker died is run again (idempotent), a few times at most.
      maxStalledCount: 3,
    },
  );
  worker.on("failed", (job, error) => {
    if (!job) return;
    const last = job.attemptsMade >= (job.opts.attempts ?? 1);
    log.warn({ documentId: job.data.documentId, attempt: job.attemptsMade, last, err: error.message }, "knowledge ingestion failed");
    if (last && !shutdown.signal.aborted) {
      void db.knowledgeDocument
        .update({ where: { id: job.data.documentId }, data: { status: "failed", error: { code: "internal", message: `Indexing failed: ${error.message}` } }, select: { id: true, knowledgeBaseId: true, status: true, chunksDone: true, chunksTotal: true, error: true } })
        // A re-index may have been waiting for this document only.
        .then((doc) => (void progress(progressOf(doc)), completeReindexIfDone(db, doc.knowledgeBaseId)))
        .catch(() => undefined);
    }
  });
  return {
    worker,
    /** Stops taking documents; one being ingested stops between stages and is run again later. */
    async close() {
      shutdown.abort(new Error("worker shutting down"));
      await worker.close();
      events.disconnect();
    },
  };
}
