import { buffer } from "node:stream/consumers";
import type pg from "pg";
import { type Db, poolOf } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import { NodeError } from "@/lib/engine/errors";
import { addCosts } from "@/lib/models/cost";
import { countTokens } from "@/lib/models/local-tokenizer";
import { type FileStorage, StorageNotFoundError } from "@/lib/storage/types";
import { type ChunkRow, replaceDocumentChunks, storedEmbeddings } from "./chunk-store";
import { createEmbedder, type EmbedderOptions } from "./embeddings";
import { fetchUrlDocument } from "./fetch-url";
import { KNOWLEDGE_LIMITS } from "./limits";
import { type KnowledgeEventSink, progressOf } from "./progress";
import { detectFormat, KnowledgeParseError, parseDocument } from "./parse";
import { completeReindexIfDone, currentTargetGeneration, type IndexTarget, targetOf } from "./reindex";
import { splitDocument, type ChunkDraft } from "./split";

export interface IngestDeps {
  db: Db;
  storage: FileStorage;
  /** Overrides for the embedder (tests: backoff, fetch). */
  embedder?: Partial<Omit<EmbedderOptions, "db" | "workspaceId">>;
  /** Aborted when the worker shuts down: the job stops between stages and is resumed later. */
  signal?: AbortSignal;
  /** URL documents: overrides WEFT_ALLOW_PRIVATE_NETWORK (tests). */
  allowPrivate?: boolean;
  /** Live progress (lib/knowledge/progress.ts): every stage, chunk count and the outcome. */
  progress?: KnowledgeEventSink;
}

type Stage = "parsing" | "chunking" | "embedding";
type StageProgress = { chunksDone?: number; chunksTotal?: number; clearError?: boolean };
type SetStage = (status: Stage, progress?: StageProgress) => Promise<void>;

class DocumentGoneError extends Error {}

/**
 * The document's stage and progress. Raw SQL: it runs several times per document (once per
 * embedding batch too), and a statement through Prisma's query compiler costs many times the CPU.
 */
async function writeStage(pool: pg.Pool, documentId: string, status: Stage, progress: StageProgress): Promise<Parameters<typeof progressOf>[0]> {
  const { rows } = await pool.query<Parameters<typeof progressOf>[0]>(
    `UPDATE knowledge_documents SET status = $2::"KnowledgeDocumentStatus", "chunksDone" = COALESCE($3, "chunksDone"), "chunksTotal" = COALESCE($4, "chunksTotal"),
            error = CASE WHEN $5 THEN NULL ELSE error END, "updatedAt" = now()
      WHERE id = $1 RETURNING id, "knowledgeBaseId", status, "chunksDone", "chunksTotal", error`,
    [documentId, status, progress.chunksDone ?? null, progress.chunksTotal ?? null, progress.clearError ?? false],
  );
  if (!rows[0]) throw new DocumentGoneError();
  return rows[0];
}

/** Why a document could not be indexed, as stored in KnowledgeDocument.error. */
export interface DocumentError {
  code: string;
  message: string;
}

/** Failures that are the document's (or the model's) and would fail again unchanged: no retry. */
function documentErrorOf(error: unknown): DocumentError | null {
  if (error instanceof KnowledgeParseError) return { code: error.code, message: error.message };
  if (error instanceof StorageNotFoundError) return { code: "missing_file", message: "The uploaded file is no longer in storage; upload it again." };
  if (error instanceof NodeError) return { code: error.code, message: error.message };
  return null;
}

async function readFile(storage: FileStorage, key: string): Promise<Buffer> {
  const stream = await storage.get(key);
  // Checked again here: a file stored before a lower limit, or by another path, is still refused.
  let size = 0;
  stream.on("data", (chunk: Buffer) => {
    size += chunk.length;
    if (size > KNOWLEDGE_LIMITS.maxFileBytes) stream.destroy(new KnowledgeParseError("too_large", `The document is larger than ${KNOWLEDGE_LIMITS.maxFileBytes / 1024 / 1024} MB.`));
  });
  return buffer(stream);
}

/**
 * Where the document's bytes are: stored at upload, or — for a URL document — fetched into
 * storage on every run of its job (a re-run re-fetches, so a changed page is picked up).
 */
async function contentOf(doc: { id: string; knowledgeBaseId: string; sourceKind: string; sourceUrl: string | null; storageKey: string | null; mimeType: string }, workspaceId: string, deps: IngestDeps) {
  if (doc.sourceKind === "url" && doc.sourceUrl) {
    return fetchUrlDocument(deps, { id: doc.id, knowledgeBaseId: doc.knowledgeBaseId, workspaceId, sourceUrl: doc.sourceUrl });
  }
  if (!doc.storageKey) throw new KnowledgeParseError("empty", "The document has no content.");
  return { storageKey: doc.storageKey, mimeType: doc.mimeType };
}

/**
 * Indexes one document: parse → split → embed (reusing stored embeddings of unchanged chunks by
 * content hash) → swap its chunks in one transaction. Safe to run again at any point: nothing is
 * visible until the swap, and the swap replaces whatever a previous run wrote. Failures that are
 * the document's are stored on it; others (database, Redis) are thrown for the queue to retry.
 */
export async function ingestDocument(documentId: string, deps: IngestDeps): Promise<void> {
  const { db } = deps;
  const doc = await db.knowledgeDocument.findUnique({ where: { id: documentId }, include: { knowledgeBase: true } });
  // Deleted while queued: nothing to do.
  if (!doc) return;
  const kb = doc.knowledgeBase;
  // During a re-index: the new generation with the new settings (lib/knowledge/reindex.ts).
  const target = targetOf(kb);
  // Not awaited: a publish never fails and never holds up ingestion; one connection keeps the order.
  const publish = (row: Parameters<typeof progressOf>[0]) => void deps.progress?.(progressOf(row));
  const setStage: SetStage = (status, progress = {}) => writeStage(poolOf(db), documentId, status, progress).then(publish);

  try {
    await setStage("parsing", { chunksDone: 0, chunksTotal: 0, clearError: true });
    const source = await contentOf(doc, kb.workspaceId, deps);
    const bytes = await readFile(deps.storage, source.storageKey);
    const parsed = await parseDocument(bytes, detectFormat(doc.name, source.mimeType));
    deps.signal?.throwIfAborted();

    await setStage("chunking");
    const drafts = await splitDocument(parsed, { chunkSize: target.chunkSize, chunkOverlap: target.chunkOverlap, splitter: target.splitter });
    if (drafts.length > KNOWLEDGE_LIMITS.maxChunksPerDocument) {
      throw new KnowledgeParseError("too_large", `The document makes ${drafts.length} chunks; the limit is ${KNOWLEDGE_LIMITS.maxChunksPerDocument}. Raise the chunk size or split the document.`);
    }
    const embedded = await embedDrafts(deps, kb, target, drafts, setStage);
    deps.signal?.throwIfAborted();
    const swapped = await swapIn(db, { documentId, knowledgeBaseId: kb.id, generation: target.generation, dimensions: target.dimensions, chunks: embedded.rows }, { tokens: embedded.tokens, cost: embedded.cost, previousCost: doc.cost });
    if (swapped) publish({ id: documentId, knowledgeBaseId: kb.id, status: "indexed", chunksDone: embedded.rows.length, chunksTotal: embedded.rows.length, error: null });
  } catch (error) {
    // Deleted while it was being indexed: nothing left to index or to mark.
    if (error instanceof DocumentGoneError) return;
    const failure = documentErrorOf(error);
    if (!failure || deps.signal?.aborted) throw error;
    // A re-index started meanwhile has queued this document again: that job's outcome counts.
    const now = await db.knowledgeBase.findUnique({ where: { id: kb.id }, select: { indexGeneration: true, reindex: true } });
    if (now && currentTargetGeneration(now) !== target.generation) return;
    const { count } = await db.knowledgeDocument.updateMany({ where: { id: documentId }, data: { status: "failed", error: { ...failure } } });
    const failed = count ? await db.knowledgeDocument.findUnique({ where: { id: documentId } }) : null;
    if (failed) publish(failed);
  }
  await completeReindexIfDone(db, kb.id);
}

/** Embeddings for the drafts: stored ones reused by content hash, only new texts sent to the model. */
async function embedDrafts(deps: IngestDeps, kb: { id: string; workspaceId: string }, target: IndexTarget, drafts: ChunkDraft[], setStage: SetStage) {
  const { db } = deps;
  const reused = await storedEmbeddings(poolOf(db), kb.id, target.reuseFrom, target.dimensions, [...new Set(drafts.map((d) => d.contentHash))]);
  const missing = [...new Set(drafts.filter((d) => !reused.has(d.contentHash)).map((d) => d.contentHash))];
  const textOf = new Map(drafts.map((d) => [d.contentHash, d.text]));
  await setStage("embedding", { chunksTotal: drafts.length, chunksDone: drafts.length - missing.length });

  const embedder = await createEmbedder(
    { providerId: target.embeddingProviderId, model: target.embeddingModel, dimensions: target.dimensions },
    { db, workspaceId: kb.workspaceId, ...deps.embedder },
  );
  const result = missing.length
    ? await embedder.embed(
        missing.map((hash) => textOf.get(hash)!),
        { signal: deps.signal, onBatch: (done) => setStage("embedding", { chunksDone: drafts.length - missing.length + done }) },
      )
    : { vectors: [], tokens: 0 };
  const vectors = new Map([...reused, ...missing.map((hash, i) => [hash, result.vectors[i]!] as const)]);
  const rows: ChunkRow[] = await Promise.all(
    drafts.map(async (d) => ({
      ordinal: d.ordinal,
      text: d.text,
      contentHash: d.contentHash,
      page: d.page ?? null,
      section: d.section ?? null,
      tokenCount: await countTokens(d.text, target.embeddingModel),
      embedding: vectors.get(d.contentHash)!,
    })),
  );
  return { rows, tokens: result.tokens, cost: "cost" in result ? result.cost : undefined };
}

interface Usage {
  tokens: number;
  cost?: Record<string, number>;
  previousCost: unknown;
}

/** The swap: chunks replaced and the document marked indexed in one transaction; false when nothing was written. */
async function swapIn(db: Db, input: Parameters<typeof replaceDocumentChunks>[1], usage: Usage): Promise<boolean> {
  return inTransaction(poolOf(db), async (client) => {
    // Serialises two jobs of the same document; a document deleted meanwhile stops here.
    const { rowCount } = await client.query(`SELECT 1 FROM knowledge_documents WHERE id = $1 FOR UPDATE`, [input.documentId]);
    if (!rowCount) return false;
    // A re-index started (or switched) since this job read the knowledge base: its own job writes
    // the right generation; this one's chunks would be thrown away, so nothing is written.
    const kb = await client.query<{ indexGeneration: number; reindex: unknown }>(`SELECT "indexGeneration", reindex FROM knowledge_bases WHERE id = $1 FOR SHARE`, [input.knowledgeBaseId]);
    if (!kb.rows[0] || currentTargetGeneration(kb.rows[0]) !== input.generation) return false;
    await replaceDocumentChunks(client, input);
    const cost = addCosts((usage.previousCost as Record<string, number> | null) ?? undefined, usage.cost);
    await client.query(
      `UPDATE knowledge_documents
          SET status = 'indexed', error = NULL, "chunksTotal" = $2, "chunksDone" = $2, "indexGeneration" = $3,
              "embeddingTokens" = "embeddingTokens" + $4, cost = $5::jsonb, "updatedAt" = now()
        WHERE id = $1`,
      [input.documentId, input.chunks.length, input.generation, usage.tokens, cost ? JSON.stringify(cost) : null],
    );
    return true;
  });
}
