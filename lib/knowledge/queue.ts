import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { z } from "zod";
import { createRedis, redisPrefix } from "@/lib/queue/redis";

/** Ingestion has its own queue, so a thousand documents never delay a workflow run. */
export const KNOWLEDGE_QUEUE = "knowledge";

export const KnowledgeJobSchema = z.object({ documentId: z.string().uuid() });
export type KnowledgeJob = z.infer<typeof KnowledgeJobSchema>;

export function createKnowledgeQueue(connection: Redis = createRedis()): Queue<KnowledgeJob> {
  return new Queue<KnowledgeJob>(KNOWLEDGE_QUEUE, { connection, prefix: redisPrefix() });
}

const holder = globalThis as unknown as { __weftKnowledgeQueue?: Queue<KnowledgeJob> };
export function knowledgeQueue(): Queue<KnowledgeJob> {
  holder.__weftKnowledgeQueue ??= createKnowledgeQueue();
  return holder.__weftKnowledgeQueue;
}

/**
 * One job per document (job id = document id, plus the generation for a re-index: enqueuing twice adds one job). Infrastructure
 * failures (database, Redis) are retried with backoff; a worker that dies mid-document loses its
 * lock and another worker runs the job again from the start, which is safe (lib/knowledge/ingest.ts).
 */
export async function enqueueDocument(documentId: string, queue: Queue<KnowledgeJob> = knowledgeQueue(), options: { generation?: number } = {}): Promise<void> {
  // A re-index's job has its generation in its id: a job of the same document still queued or
  // running for the old generation would otherwise swallow it (same id, one job).
  const jobId = options.generation ? `${documentId}-g${options.generation}` : documentId;
  await queue.add("ingest", { documentId }, { jobId, removeOnComplete: true, removeOnFail: true, attempts: 5, backoff: { type: "exponential", delay: 2_000 } });
}
