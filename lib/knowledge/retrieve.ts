import { z } from "zod";
import { type Db, poolOf } from "@/lib/db/client";
import { notFound } from "@/lib/services/errors";
import { formatContext } from "./citations";
import { createEmbedder, type EmbedderOptions } from "./embeddings";
import { MetadataFilterSchema } from "./filter";
import { reciprocalRankFusion } from "./fusion";
import { rerank, RerankTargetSchema } from "./rerank";
import { type Hit, keywordSearch, type SearchScope, vectorSearch } from "./search-sql";
import type { KnowledgeChunk, RerankUsage } from "@/lib/engine/ports";

export const RETRIEVAL_MODES = ["hybrid", "vector", "keyword"] as const;
export type RetrievalMode = (typeof RETRIEVAL_MODES)[number];

export const RetrieveInputSchema = z.object({
  knowledgeBaseIds: z.array(z.string().uuid()).min(1).max(10),
  query: z.string().trim().min(1, "The query is empty.").max(4_000),
  mode: z.enum(RETRIEVAL_MODES).default("hybrid"),
  topK: z.number().int().min(1).max(50).default(5),
  /** Chunks scoring below it are left out (cosine similarity, keyword score, or normalised RRF for hybrid; all 0..1). */
  scoreThreshold: z.number().min(0).max(1).optional(),
  filter: MetadataFilterSchema.optional(),
  /** A rerank model applied to the candidates after retrieval; its scores replace the search scores (and the threshold applies to them). */
  rerank: RerankTargetSchema.optional(),
});
export type RetrieveInput = z.input<typeof RetrieveInputSchema>;

/** A query of one knowledge base (its id is in the path): the studio's test box and the public API. */
export const KnowledgeQuerySchema = RetrieveInputSchema.omit({ knowledgeBaseIds: true }).strict();
export type KnowledgeQuery = z.input<typeof KnowledgeQuerySchema>;

/** The engine's chunk shape (lib/engine/ports.ts): the node and the Agent tools hand these on unchanged. */
export type RetrievedChunk = KnowledgeChunk;

export interface RetrievalResult {
  mode: RetrievalMode;
  chunks: RetrievedChunk[];
  /** The chunks as numbered citations, ready for a prompt. */
  context: string;
  /** The rerank call, when the query asked for one: its model, tokens and cost. */
  rerank?: RerankUsage;
}

export interface RetrieveDeps {
  db: Db;
  /** Passed to the embedder of the query (network policy, tests' fetch). */
  embedder?: Partial<Omit<EmbedderOptions, "db" | "workspaceId">>;
  /** Aborts the query's embedding call (a cancelled run). */
  signal?: AbortSignal;
}

/** Each search list is longer than top-k so that fusion and the threshold have candidates to choose from. */
const candidatesFor = (topK: number) => Math.max(topK * 4, 20);

type KnowledgeBaseRow = { id: string; embeddingProviderId: string; embeddingModel: string; dimensions: number };

/** Vector hits over knowledge bases grouped by embedding model (one query embedding per model). */
async function vectorHits(deps: RetrieveDeps, workspaceId: string, bases: KnowledgeBaseRow[], scope: Omit<SearchScope, "knowledgeBaseIds">, query: string): Promise<Hit[]> {
  const groups = new Map<string, KnowledgeBaseRow[]>();
  for (const kb of bases) {
    const key = `${kb.embeddingProviderId}\u0000${kb.embeddingModel}\u0000${kb.dimensions}`;
    groups.set(key, [...(groups.get(key) ?? []), kb]);
  }
  const lists = await Promise.all(
    [...groups.values()].map(async (group) => {
      const { embeddingProviderId: providerId, embeddingModel: model, dimensions } = group[0]!;
      const embedder = await createEmbedder({ providerId, model, dimensions }, { db: deps.db, workspaceId, ...deps.embedder });
      const { vectors } = await embedder.embed([query], { signal: deps.signal });
      return vectorSearch(poolOf(deps.db), { ...scope, knowledgeBaseIds: group.map((kb) => kb.id) }, dimensions, vectors[0]!);
    }),
  );
  return lists.flat().sort((a, b) => b.score - a.score).slice(0, scope.limit);
}

async function ranked(deps: RetrieveDeps, workspaceId: string, bases: KnowledgeBaseRow[], input: z.output<typeof RetrieveInputSchema>): Promise<Hit[]> {
  const scope = { filter: input.filter, limit: candidatesFor(input.topK) };
  const keyword = () => keywordSearch(poolOf(deps.db), { ...scope, knowledgeBaseIds: bases.map((kb) => kb.id) }, input.query);
  const vector = () => vectorHits(deps, workspaceId, bases, scope, input.query);
  if (input.mode === "keyword") return keyword();
  if (input.mode === "vector") return vector();
  const [byVector, byKeyword] = await Promise.all([vector(), keyword()]);
  return reciprocalRankFusion([byVector, byKeyword]);
}

/** The candidates in the rerank model's order with its scores, thresholded, top-k; and what the call used. */
async function reranked(deps: RetrieveDeps, workspaceId: string, input: z.output<typeof RetrieveInputSchema>, candidates: Hit[], byId: Map<string, { text: string }>): Promise<{ hits: Hit[]; usage: RerankUsage }> {
  const target = input.rerank!;
  const { ranking, tokens, estimated, searchUnits, cost } = await rerank(target, input.query, candidates.map((hit) => byId.get(hit.id)!.text), input.topK, { db: deps.db, workspaceId, signal: deps.signal, ...deps.embedder });
  const hits = ranking
    .map(({ index, score }) => ({ id: candidates[index]!.id, score }))
    .filter((hit) => input.scoreThreshold === undefined || hit.score >= input.scoreThreshold)
    .slice(0, input.topK);
  const reported = { ...(estimated ? { estimated } : {}), ...(searchUnits !== undefined ? { searchUnits } : {}), ...(cost ? { cost } : {}) };
  return { hits, usage: { providerId: target.providerId, model: target.model, candidates: candidates.length, tokens, ...reported } };
}

// The two reads of every query are raw SQL: through Prisma's query compiler they cost several
// milliseconds of CPU each, a good part of a query (bench/knowledge-query.ts).

/** The knowledge bases among `ids` that belong to the workspace. */
async function basesOf(db: Db, workspaceId: string, ids: string[]): Promise<KnowledgeBaseRow[]> {
  const { rows } = await poolOf(db).query<KnowledgeBaseRow>(
    `SELECT id, "embeddingProviderId", "embeddingModel", dimensions FROM knowledge_bases WHERE id = ANY($1::text[]) AND "workspaceId" = $2`,
    [ids, workspaceId],
  );
  return rows;
}

type ChunkRow = { id: string; knowledgeBaseId: string; documentId: string; text: string; page: number | null; section: string | null; documentName: string };

/** The retrieved chunks with their document's name (a chunk deleted since the search is simply absent). */
async function chunkRows(db: Db, ids: string[]): Promise<ChunkRow[]> {
  if (!ids.length) return [];
  const { rows } = await poolOf(db).query<ChunkRow>(
    `SELECT c.id, c."knowledgeBaseId", c."documentId", c.text, c.page, c.section, d.name AS "documentName"
       FROM knowledge_chunks c JOIN knowledge_documents d ON d.id = c."documentId" WHERE c.id = ANY($1::text[])`,
    [ids],
  );
  return rows;
}

/**
 * Searches knowledge bases of one workspace (any other workspace's id is "not found") and returns
 * the top-k chunks with their sources and a numbered-citation context.
 */
export async function retrieve(deps: RetrieveDeps, workspaceId: string, rawInput: RetrieveInput): Promise<RetrievalResult> {
  const input = RetrieveInputSchema.parse(rawInput);
  const ids = [...new Set(input.knowledgeBaseIds)];
  const bases = await basesOf(deps.db, workspaceId, ids);
  if (bases.length !== ids.length) throw notFound("Knowledge base");

  const candidates = await ranked(deps, workspaceId, bases, input);
  const pool = input.rerank ? candidates : candidates.filter((hit) => input.scoreThreshold === undefined || hit.score >= input.scoreThreshold).slice(0, input.topK);
  const rows = await chunkRows(deps.db, pool.map((hit) => hit.id));
  const byId = new Map(rows.map((row) => [row.id, row]));
  const rerankedHits = input.rerank ? await reranked(deps, workspaceId, input, pool.filter((hit) => byId.has(hit.id)), byId) : null;
  const hits = rerankedHits?.hits ?? pool;
  const chunks = hits.flatMap((hit) => {
    const row = byId.get(hit.id);
    if (!row) return [];
    return [
      {
        chunkId: row.id,
        knowledgeBaseId: row.knowledgeBaseId,
        documentId: row.documentId,
        documentName: row.documentName,
        text: row.text,
        score: Math.round(hit.score * 1e6) / 1e6,
        page: row.page,
        section: row.section,
        citation: 0,
      } satisfies RetrievedChunk,
    ];
  });
  // Numbered after the read: a chunk whose document was deleted meanwhile leaves no gap.
  chunks.forEach((chunk, index) => (chunk.citation = index + 1));
  return { mode: input.mode, chunks, context: formatContext(chunks), ...(rerankedHits ? { rerank: rerankedHits.usage } : {}) };
}
