import type { Redis } from "ioredis";
import { z } from "zod";
import { redisPrefix } from "@/lib/queue/redis";
import { eventsRedis } from "@/lib/runs/events";

/**
 * Live document progress: worker (and web process, for added and deleted documents) → Redis
 * pub/sub channel per knowledge base → the process's shared subscriber (lib/runs/event-hub.ts) →
 * SSE route → the Knowledge page. Like run events, pub/sub is fire-and-forget: PostgreSQL holds
 * the truth, every watcher starts from a snapshot read there and re-reads it after a gap.
 */
export const knowledgeChannel = (knowledgeBaseId: string) => `${redisPrefix()}:knowledge-events:${knowledgeBaseId}`;

export const DOCUMENT_STAGES = ["queued", "parsing", "chunking", "embedding", "indexed", "failed"] as const;

const DocumentErrorSchema = z.object({ code: z.string().optional(), message: z.string().optional() }).passthrough();

/** A document's status changed, or (while embedding) its count of embedded chunks grew. */
export const DocumentProgressEventSchema = z.object({
  type: z.literal("document"),
  knowledgeBaseId: z.string(),
  documentId: z.string(),
  status: z.enum(DOCUMENT_STAGES),
  chunksDone: z.number().int().min(0),
  chunksTotal: z.number().int().min(0),
  error: DocumentErrorSchema.nullable(),
});
export type DocumentProgressEvent = z.infer<typeof DocumentProgressEventSchema>;

export const DocumentDeletedEventSchema = z.object({ type: z.literal("document.deleted"), knowledgeBaseId: z.string(), documentId: z.string() });
export type DocumentDeletedEvent = z.infer<typeof DocumentDeletedEventSchema>;

export const KnowledgeEventSchema = z.discriminatedUnion("type", [DocumentProgressEventSchema, DocumentDeletedEventSchema]);
export type KnowledgeEvent = z.infer<typeof KnowledgeEventSchema>;

/**
 * Sends one event; resolves once Redis has it (never rejects). The web process awaits it before
 * queueing a document, so "queued" reaches watchers before the worker's "parsing".
 */
export type KnowledgeEventSink = (event: KnowledgeEvent) => Promise<void>;

/** A document row (any select that has these columns) as its progress event. */
export function progressOf(doc: { id: string; knowledgeBaseId: string; status: string; chunksDone: number; chunksTotal: number; error: unknown }): DocumentProgressEvent {
  const error = DocumentErrorSchema.safeParse(doc.error);
  return {
    type: "document",
    knowledgeBaseId: doc.knowledgeBaseId,
    documentId: doc.id,
    status: z.enum(DOCUMENT_STAGES).catch("queued").parse(doc.status),
    chunksDone: doc.chunksDone,
    chunksTotal: doc.chunksTotal,
    error: error.success ? error.data : null,
  };
}

/**
 * A publisher on a plain Redis connection. Publishing never throws and never delays ingestion:
 * a lost event costs a watcher nothing it cannot re-read. Events leave in call order (one
 * connection, one command each), so a document's stages arrive in order.
 */
export function createKnowledgeEventPublisher(redis: Redis): KnowledgeEventSink {
  return (event) =>
    redis.publish(knowledgeChannel(event.knowledgeBaseId), JSON.stringify(event)).then(
      () => undefined,
      () => undefined,
    );
}

const holder = globalThis as unknown as { __weftKnowledgeEvents?: KnowledgeEventSink };
/** The web process's publisher, on its shared plain connection (lib/runs/events.ts eventsRedis). */
export function knowledgeEvents(): KnowledgeEventSink {
  holder.__weftKnowledgeEvents ??= createKnowledgeEventPublisher(eventsRedis());
  return holder.__weftKnowledgeEvents;
}
