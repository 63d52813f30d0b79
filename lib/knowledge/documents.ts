import type { Readable } from "node:stream";
import type { Db } from "@/lib/db/client";
import type { KnowledgeSourceKind } from "@/lib/generated/prisma/client";
import { ServiceError } from "@/lib/services/errors";
import { type FileStorage, StorageTooLargeError } from "@/lib/storage/types";
import { KNOWLEDGE_LIMITS } from "./limits";
import { detectFormat, FORMAT_MIME, KnowledgeParseError } from "./parse";
import { type KnowledgeEventSink, progressOf } from "./progress";
import { enqueueDocument } from "./queue";

export interface NewDocument {
  name: string;
  /** As sent by the client; the stored type is the detected format's. */
  mimeType?: string | null;
  sourceKind: KnowledgeSourceKind;
  sourceUrl?: string;
  /** Streamed to storage, never held whole in memory. */
  body: Readable | AsyncIterable<Uint8Array>;
  metadata?: Record<string, string | number | boolean>;
}

export interface DocumentDeps {
  db: Db;
  storage: FileStorage;
  /** Defaults to the knowledge queue. */
  enqueue?: (documentId: string) => Promise<void>;
  /** Live events for watchers of the knowledge base (lib/knowledge/progress.ts): added, queued again, deleted. */
  progress?: KnowledgeEventSink;
}

export const storageKeyOf = (knowledgeBaseId: string, documentId: string) => `knowledge/${knowledgeBaseId}/${documentId}`;

/**
 * Adds a document to a knowledge base (already authorised by the caller) and queues it for
 * ingestion. A document that is refused at once (unsupported type, too large) is kept as a failed
 * document with the reason, like one that fails later, so a batch upload reports every file.
 */
export async function addDocument(deps: DocumentDeps, knowledgeBaseId: string, input: NewDocument) {
  const { db, storage } = deps;
  const announce = async <T extends Parameters<typeof progressOf>[0]>(row: T) => (await deps.progress?.(progressOf(row)), row);
  let format: ReturnType<typeof detectFormat> | null = null;
  let refusal: KnowledgeParseError | null = null;
  try {
    format = detectFormat(input.name, input.mimeType);
  } catch (error) {
    if (!(error instanceof KnowledgeParseError)) throw error;
    refusal = error;
  }
  const doc = await db.knowledgeDocument.create({
    data: {
      knowledgeBaseId,
      name: input.name,
      sourceKind: input.sourceKind,
      sourceUrl: input.sourceUrl,
      mimeType: format ? FORMAT_MIME[format] : (input.mimeType ?? "application/octet-stream"),
      metadata: input.metadata ?? {},
      ...(refusal ? { status: "failed", error: { code: refusal.code, message: refusal.message } } : {}),
    },
  });
  if (refusal) return announce(doc);

  const key = storageKeyOf(knowledgeBaseId, doc.id);
  try {
    const stored = await storage.put(key, input.body, { maxBytes: KNOWLEDGE_LIMITS.maxFileBytes });
    const updated = await announce(await db.knowledgeDocument.update({ where: { id: doc.id }, data: { storageKey: key, sizeBytes: stored.sizeBytes, contentHash: stored.sha256 } }));
    await (deps.enqueue ?? enqueueDocument)(doc.id);
    return updated;
  } catch (error) {
    if (!(error instanceof StorageTooLargeError)) {
      await db.knowledgeDocument.delete({ where: { id: doc.id } }).catch(() => undefined);
      throw error;
    }
    const message = `The document is larger than ${KNOWLEDGE_LIMITS.maxFileBytes / 1024 / 1024} MB, the limit.`;
    return announce(await db.knowledgeDocument.update({ where: { id: doc.id }, data: { status: "failed", error: { code: "too_large", message } } }));
  }
}

/**
 * A URL document: only the row and the job. The worker fetches it (ingest.ts → fetch-url.ts), so the
 * request that adds it never waits on a remote server, and a retry after a crash fetches again.
 */
export async function addUrlSource(deps: DocumentDeps, knowledgeBaseId: string, input: { url: string; name: string; metadata?: NewDocument["metadata"] }) {
  const doc = await deps.db.knowledgeDocument.create({
    data: { knowledgeBaseId, name: input.name, sourceKind: "url", sourceUrl: input.url, mimeType: "application/octet-stream", metadata: input.metadata ?? {} },
  });
  await deps.progress?.(progressOf(doc));
  await (deps.enqueue ?? enqueueDocument)(doc.id);
  return doc;
}

/**
 * Stores a new version of a document's file and queues it. Over the size limit, nothing changes:
 * the old file and chunks stay, and the caller gets a clear error.
 */
export async function replaceDocumentFile(deps: DocumentDeps, knowledgeBaseId: string, documentId: string, body: NewDocument["body"]) {
  const key = storageKeyOf(knowledgeBaseId, documentId);
  try {
    // put() renames into place only once the whole file is in: an oversized upload leaves the old file.
    const stored = await deps.storage.put(key, body, { maxBytes: KNOWLEDGE_LIMITS.maxFileBytes });
    const doc = await deps.db.knowledgeDocument.update({ where: { id: documentId }, data: { storageKey: key, sizeBytes: stored.sizeBytes, contentHash: stored.sha256, status: "queued", chunksDone: 0 } });
    await deps.progress?.(progressOf(doc));
  } catch (error) {
    if (error instanceof StorageTooLargeError) throw new ServiceError("invalid_input", `The document is larger than ${KNOWLEDGE_LIMITS.maxFileBytes / 1024 / 1024} MB, the limit.`);
    throw error;
  }
  await (deps.enqueue ?? enqueueDocument)(documentId);
}

/** Deletes a document: its chunks go with it at once (cascade), its file right after. */
export async function deleteDocument(deps: Pick<DocumentDeps, "db" | "storage" | "progress">, documentId: string): Promise<void> {
  const doc = await deps.db.knowledgeDocument.delete({ where: { id: documentId }, select: { storageKey: true, knowledgeBaseId: true } });
  await deps.progress?.({ type: "document.deleted", knowledgeBaseId: doc.knowledgeBaseId, documentId });
  if (doc.storageKey) await deps.storage.delete(doc.storageKey);
}
