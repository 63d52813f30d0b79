import { z } from "zod";
import { type Db, poolOf } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import type { Prisma } from "@/lib/generated/prisma/client";
import { enqueueDocument } from "./queue";
import { SPLITTER_KINDS } from "./split";

/**
 * Re-indexing a knowledge base after its embedding model or chunk settings change. The new
 * settings wait in `KnowledgeBase.reindex` with the next generation number; every document is
 * ingested again into that generation while retrieval keeps reading the serving one (the KB's own
 * columns, `indexGeneration`). When no document is left unfinished, one transaction moves the new
 * settings into the columns, switches `indexGeneration` and deletes every other generation's chunks.
 */

export const IndexSettingsSchema = z.object({
  embeddingProviderId: z.string(),
  embeddingModel: z.string(),
  dimensions: z.number().int().positive(),
  chunkSize: z.number().int().positive(),
  chunkOverlap: z.number().int().min(0),
  splitter: z.enum(SPLITTER_KINDS),
});
export type IndexSettings = z.infer<typeof IndexSettingsSchema>;

export const ReindexStateSchema = IndexSettingsSchema.extend({ generation: z.number().int().positive(), startedAt: z.string() });
export type ReindexState = z.infer<typeof ReindexStateSchema>;

type KbRow = Omit<IndexSettings, "splitter"> & { id: string; indexGeneration: number; reindex: unknown; splitter: string };

export const reindexOf = (kb: { reindex: unknown }): ReindexState | null => (kb.reindex ? ReindexStateSchema.parse(kb.reindex) : null);

/** What a document's ingestion writes: the re-index's generation and settings when one is under way. */
export interface IndexTarget extends IndexSettings {
  generation: number;
  /** Generations whose stored embeddings are valid for this target (same model and length). */
  reuseFrom: number[];
}

export function targetOf(kb: KbRow): IndexTarget {
  const serving = { ...IndexSettingsSchema.parse({ ...kb }), generation: kb.indexGeneration };
  const pending = reindexOf(kb);
  if (!pending) return { ...serving, reuseFrom: [serving.generation] };
  const sameModel = pending.embeddingProviderId === serving.embeddingProviderId && pending.embeddingModel === serving.embeddingModel && pending.dimensions === serving.dimensions;
  // Only the chunking changed: unchanged texts keep the embeddings they have in the serving generation.
  return { ...pending, reuseFrom: sameModel ? [pending.generation, serving.generation] : [pending.generation] };
}

/** The generation a document's chunks must be written for now (read under the caller's lock). */
export const currentTargetGeneration = (kb: { indexGeneration: number; reindex: unknown }) => reindexOf(kb)?.generation ?? kb.indexGeneration;

export const settingsOf = (kb: KbRow): IndexSettings => reindexOf(kb) ?? IndexSettingsSchema.parse({ ...kb });

export const sameSettings = (a: IndexSettings, b: IndexSettings) => (Object.keys(a) as (keyof IndexSettings)[]).every((key) => a[key] === b[key]);

/**
 * Starts (or restarts, with newer settings) a re-index into the next generation: every document is
 * queued again under a job id of that generation, so a job still running for the old one does not
 * absorb it. A knowledge base without documents switches at once.
 */
export async function startReindex(db: Db, kb: KbRow, settings: IndexSettings, enqueue = enqueueDocument): Promise<ReindexState> {
  const generation = Math.max(kb.indexGeneration, reindexOf(kb)?.generation ?? 0) + 1;
  const state: ReindexState = { ...settings, generation, startedAt: new Date().toISOString() };
  const documents = await db.$transaction(async (tx) => {
    await tx.knowledgeBase.update({ where: { id: kb.id }, data: { reindex: state as unknown as Prisma.InputJsonValue } });
    await tx.knowledgeDocument.updateMany({ where: { knowledgeBaseId: kb.id }, data: { status: "queued", chunksDone: 0 } });
    return tx.knowledgeDocument.findMany({ where: { knowledgeBaseId: kb.id }, select: { id: true } });
  });
  for (const doc of documents) await enqueue(doc.id, undefined, { generation });
  await completeReindexIfDone(db, kb.id);
  return state;
}

const UNFINISHED = ["queued", "parsing", "chunking", "embedding"];

/**
 * Switches to the re-index's generation when no document of the knowledge base is unfinished
 * (failed documents have no chunks in it and show their error). Atomic: a query sees the old
 * generation with the old model, or the new one with the new model. Returns whether it switched.
 */
export async function completeReindexIfDone(db: Db, knowledgeBaseId: string): Promise<boolean> {
  // Every document job ends here and almost none during a re-index: a plain read spares them a
  // transaction and a row lock on the knowledge base (which serialised concurrent ingestions).
  // A re-index starting just after this read calls this function itself once its documents finish.
  const { rows: peek } = await poolOf(db).query<{ pending: boolean }>(`SELECT reindex IS NOT NULL AS pending FROM knowledge_bases WHERE id = $1`, [knowledgeBaseId]);
  if (!peek[0]?.pending) return false;
  return inTransaction(poolOf(db), async (client) => {
    const { rows } = await client.query<{ reindex: unknown }>(`SELECT reindex FROM knowledge_bases WHERE id = $1 FOR UPDATE`, [knowledgeBaseId]);
    const pending = rows[0] ? reindexOf(rows[0]) : null;
    if (!pending) return false;
    const busy = await client.query(`SELECT 1 FROM knowledge_documents WHERE "knowledgeBaseId" = $1 AND status::text = ANY($2::text[]) LIMIT 1`, [knowledgeBaseId, UNFINISHED]);
    if (busy.rowCount) return false;
    await client.query(
      `UPDATE knowledge_bases SET "embeddingProviderId" = $2, "embeddingModel" = $3, dimensions = $4, "chunkSize" = $5, "chunkOverlap" = $6,
              splitter = $7, "indexGeneration" = $8, reindex = NULL, "updatedAt" = now() WHERE id = $1`,
      [knowledgeBaseId, pending.embeddingProviderId, pending.embeddingModel, pending.dimensions, pending.chunkSize, pending.chunkOverlap, pending.splitter, pending.generation],
    );
    await client.query(`DELETE FROM knowledge_chunks WHERE "knowledgeBaseId" = $1 AND generation <> $2`, [knowledgeBaseId, pending.generation]);
    return true;
  });
}
