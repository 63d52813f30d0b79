import { createHash } from "node:crypto";
import pgvector from "pgvector";
import { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { recordMemberAction } from "@/lib/audit/member-action";
import { db as defaultDb, type Db, poolOf } from "@/lib/db/client";
import { inTransaction } from "@/lib/db/transaction";
import { addCosts } from "@/lib/models/cost";
import { countTokens } from "@/lib/models/local-tokenizer";
import { ServiceError, notFound } from "@/lib/services/errors";
import { getDocument } from "./document-service";
import { createEmbedder, type EmbedderOptions } from "./embeddings";
import { KNOWLEDGE_LIMITS } from "./limits";
import { getKnowledgeBase, type KnowledgeDeps } from "./service";

/**
 * The chunks of one document, as a member sees and fixes them: listed (paged, searched), their
 * text edited (re-embedded at once, the cost added to the document's like an ingestion's),
 * disabled or enabled (a disabled chunk is never retrieved), deleted. Only the serving generation
 * is shown; a re-ingestion of the document (re-upload, re-index) starts again from its file.
 */

export const ListChunksSchema = z.object({
  q: z.string().trim().max(200).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListChunksQuery = z.input<typeof ListChunksSchema>;

export const UpdateChunkSchema = z
  .object({
    text: z.string().trim().min(1, "The chunk text is empty.").max(KNOWLEDGE_LIMITS.maxChunkSize * 4).optional(),
    enabled: z.boolean().optional(),
  })
  .strict()
  .refine((input) => input.text !== undefined || input.enabled !== undefined, "Change the text or `enabled`.");
export type UpdateChunkInput = z.infer<typeof UpdateChunkSchema>;

export interface ChunkDeps extends KnowledgeDeps {
  /** Passed to the embedder (tests: network policy). */
  embedder?: Partial<Omit<EmbedderOptions, "db" | "workspaceId">>;
}

const CHUNK_SELECT = { id: true, ordinal: true, text: true, page: true, section: true, tokenCount: true, enabled: true, generation: true } as const;

/** Prisma puts `contains` into a LIKE pattern as it is: `%`, `_` and `\` escaped, so they are searched for as themselves. */
const literal = (q: string) => q.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The knowledge base (of the member's workspace) after checking the document is one of its own. */
async function baseOfDocument(member: Member, knowledgeBaseId: string, documentId: string, deps: KnowledgeDeps) {
  await getDocument(member, knowledgeBaseId, documentId, deps);
  return getKnowledgeBase(member, knowledgeBaseId, deps);
}

export async function listChunks(member: Member, knowledgeBaseId: string, documentId: string, query: ListChunksQuery, deps: KnowledgeDeps = {}) {
  const { q, offset, limit } = ListChunksSchema.parse(query);
  const kb = await baseOfDocument(member, knowledgeBaseId, documentId, deps);
  const where = { documentId, generation: kb.indexGeneration, ...(q ? { text: { contains: literal(q), mode: "insensitive" as const } } : {}) };
  const db = deps.db ?? defaultDb();
  const [chunks, total] = await Promise.all([db.knowledgeChunk.findMany({ where, orderBy: { ordinal: "asc" }, skip: offset, take: limit, select: CHUNK_SELECT }), db.knowledgeChunk.count({ where })]);
  return { chunks, total, offset, limit };
}

async function chunkOf(member: Member, knowledgeBaseId: string, documentId: string, chunkId: string, deps: KnowledgeDeps) {
  requirePermission(member, "knowledge.edit");
  const kb = await baseOfDocument(member, knowledgeBaseId, documentId, deps);
  if (kb.reindex) throw new ServiceError("conflict", "The knowledge base is being re-indexed; edit its chunks when that has finished.");
  const chunk = await (deps.db ?? defaultDb()).knowledgeChunk.findFirst({ where: { id: chunkId, documentId, generation: kb.indexGeneration }, select: { ...CHUNK_SELECT, documentId: true } });
  if (!chunk) throw notFound("Chunk");
  return { kb, chunk };
}

function auditChunk(member: Member, action: string, documentId: string, chunk: { id: string; ordinal: number }, metadata: Record<string, string | number | boolean> = {}) {
  return recordMemberAction(member, action, { type: "knowledge_chunk", id: chunk.id, label: `#${chunk.ordinal + 1}` }, { metadata: { documentId, ordinal: chunk.ordinal, ...metadata } });
}

/**
 * Changes a chunk's text (re-embedded with the knowledge base's model before anything is written;
 * tokens and cost added to the document) and/or whether it is retrieved.
 */
export async function updateChunk(member: Member, knowledgeBaseId: string, documentId: string, chunkId: string, input: UpdateChunkInput, deps: ChunkDeps = {}) {
  const db = deps.db ?? defaultDb();
  const { kb, chunk } = await chunkOf(member, knowledgeBaseId, documentId, chunkId, deps);
  const text = input.text !== undefined && input.text !== chunk.text ? input.text : undefined;
  const embedded = text === undefined ? null : await embedOne(db, member.workspaceId, kb, text, deps);
  await inTransaction(poolOf(db), async (client) => {
    if (embedded && text !== undefined) {
      const hash = createHash("sha256").update(text).digest("hex");
      await client.query(`UPDATE knowledge_chunks SET text = $2, "contentHash" = $3, "tokenCount" = $4, embedding = $5::vector WHERE id = $1`, [chunkId, text, hash, embedded.tokenCount, pgvector.toSql(embedded.vector)]);
      const doc = await client.query<{ cost: Record<string, number> | null }>(`SELECT cost FROM knowledge_documents WHERE id = $1 FOR UPDATE`, [documentId]);
      const cost = addCosts(doc.rows[0]?.cost ?? undefined, embedded.cost);
      await client.query(`UPDATE knowledge_documents SET "embeddingTokens" = "embeddingTokens" + $2, cost = $3::jsonb, "updatedAt" = now() WHERE id = $1`, [documentId, embedded.tokens, cost ? JSON.stringify(cost) : null]);
    }
    if (input.enabled !== undefined) await client.query(`UPDATE knowledge_chunks SET enabled = $2 WHERE id = $1`, [chunkId, input.enabled]);
  });
  const changes = { ...(text !== undefined ? { textEdited: true } : {}), ...(input.enabled !== undefined ? { enabled: input.enabled } : {}) };
  await auditChunk(member, "knowledge_chunk.updated", documentId, chunk, changes);
  return db.knowledgeChunk.findUniqueOrThrow({ where: { id: chunkId }, select: CHUNK_SELECT });
}

async function embedOne(db: Db, workspaceId: string, kb: { embeddingProviderId: string; embeddingModel: string; dimensions: number }, text: string, deps: ChunkDeps) {
  const embedder = await createEmbedder({ providerId: kb.embeddingProviderId, model: kb.embeddingModel, dimensions: kb.dimensions }, { db, workspaceId, ...deps.embedder });
  const result = await embedder.embed([text]);
  return { vector: result.vectors[0]!, tokens: result.tokens, cost: result.cost, tokenCount: await countTokens(text, kb.embeddingModel) };
}

/** Deletes one chunk: it leaves retrieval at once; the document's counts follow. */
export async function deleteChunk(member: Member, knowledgeBaseId: string, documentId: string, chunkId: string, deps: KnowledgeDeps = {}) {
  const db = deps.db ?? defaultDb();
  const { chunk } = await chunkOf(member, knowledgeBaseId, documentId, chunkId, deps);
  await db.$transaction([
    db.knowledgeChunk.delete({ where: { id: chunkId } }),
    db.knowledgeDocument.update({ where: { id: documentId }, data: { chunksTotal: { decrement: 1 }, chunksDone: { decrement: 1 } } }),
  ]);
  await auditChunk(member, "knowledge_chunk.deleted", documentId, chunk);
}
