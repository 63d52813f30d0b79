import pgvector from "pgvector";
import type pg from "pg";
import { inTransaction } from "@/lib/db/transaction";
import { type MetadataFilter, metadataFilterSql } from "./filter";

/**
 * The two searches over knowledge_chunks. Both see only enabled chunks of the generation their
 * knowledge base serves, of the given knowledge bases (the caller has checked their workspace).
 */
export interface SearchScope {
  knowledgeBaseIds: string[];
  filter?: MetadataFilter;
  limit: number;
}

export interface Hit {
  id: string;
  score: number;
}

/**
 * Candidates the HNSW search keeps per query (pgvector's default is 40). bench/knowledge-query.ts,
 * 100,000 chunks of 768 dimensions: recall@10 0.84 at 40, 0.95–0.99 at 100, 0.97–0.99 at 200 for
 * about 3 ms more PostgreSQL CPU per query (lib/knowledge/ARCHITECTURE.md, Benchmarks).
 */
const HNSW_EF_SEARCH = 200;

/** Lengths with an HNSW index in the migration; halfvec above 2,000 (HNSW's limit for vector). */
const INDEXED = new Set([256, 384, 512, 768, 1024, 1536, 3072]);

/**
 * Chunks of the generation their knowledge base serves, read in the search's own snapshot: the
 * (knowledge base, generation) pairs are computed once (an InitPlan) and each row compared with
 * them. Not a join: joined to knowledge_bases (and knowledge_documents), the planner misjudged the
 * row count and sorted every chunk of the base instead of reading the HNSW index
 * (bench/knowledge-query.ts, 20,000 chunks of 768 dimensions: 200 ms → 15 ms), and a correlated
 * subquery would look the knowledge base up again for each of thousands of keyword matches.
 * `ids` is the SQL parameter holding the knowledge base ids.
 */
const serving = (ids: string) => `(c."knowledgeBaseId", c.generation) = ANY(ARRAY(SELECT (kb.id, kb."indexGeneration") FROM knowledge_bases kb WHERE kb.id = ANY(${ids}::text[])))`;

/**
 * Nearest chunks by cosine similarity. The cast and the `dimensions = N` predicate are spelled
 * exactly as in the partial HNSW indexes, so the planner uses the index of that length; pgvector's
 * iterative scan keeps reading the index until enough rows pass the other conditions.
 */
export async function vectorSearch(pool: pg.Pool, scope: SearchScope, dimensions: number, query: number[]): Promise<Hit[]> {
  if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 16_000) throw new Error(`Invalid embedding length ${dimensions}`);
  const type = dimensions > 2000 ? `halfvec(${dimensions})` : `vector(${dimensions})`;
  const filter = metadataFilterSql(scope.filter, 4);
  const distance = `(c.embedding::${type} <=> $1::${type})`;
  return inTransaction(pool, async (client) => {
    if (INDEXED.has(dimensions)) {
      // One round trip for both settings (no parameters, so the simple protocol takes two statements).
      await client.query(`SET LOCAL hnsw.iterative_scan = relaxed_order; SET LOCAL hnsw.ef_search = ${Math.max(HNSW_EF_SEARCH, scope.limit)}`);
    }
    const { rows } = await client.query<Hit>(
      `SELECT * FROM (
         SELECT c.id, 1 - ${distance} AS score FROM knowledge_chunks c
          WHERE c."knowledgeBaseId" = ANY($2::text[]) AND ${serving("$2")} AND c.dimensions = ${dimensions} AND c.enabled AND c.embedding IS NOT NULL AND ${filter.sql}
          ORDER BY ${distance} LIMIT $3
       ) hits ORDER BY score DESC`,
      [pgvector.toSql(query), scope.knowledgeBaseIds, scope.limit, ...filter.params],
    );
    return rows.map((row) => ({ id: row.id, score: Number(row.score) }));
  });
}

/** Han, Hiragana, Katakana, Hangul: text written without spaces between words. */
const UNSPACED = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** The query's words as an OR tsquery ("vacation | days"); letters and digits only, so nothing is tsquery syntax. */
export function orTsQuery(query: string): string | null {
  const words = (query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => !UNSPACED.test(word));
  return words.length ? [...new Set(words)].join(" | ") : null;
}

/** A chunk's keyword score with the given full-text rank function: the better of it (0..1) and the trigram similarity. */
const keywordScore = (rank: "ts_rank" | "ts_rank_cd") => `GREATEST(
    CASE WHEN c."searchVector" @@ q.tsq THEN ${rank}(c."searchVector", q.tsq, 32) ELSE 0 END,
    CASE WHEN $3 AND $2 <% c.text THEN word_similarity($2, c.text) ELSE 0 END)`;

/** How many of the best matches by plain ts_rank are ranked again by cover density. */
const rankedCandidates = (limit: number) => Math.max(limit * 10, 400);

/**
 * Keyword search: full-text match on the `simple` tsvector, ranked by cover density normalised to
 * 0..1 (rank / (rank + 1)); for queries in scripts without spaces, trigram word similarity
 * against the text (GIN trigram index) as well. A chunk's score is the better of the two.
 * An OR query matches thousands of chunks of a large base and cover density costs several times
 * plain ts_rank per chunk (bench/knowledge-query.ts, 100,000 chunks: ~110 ms → ~30 ms), so every
 * match is pre-ranked by ts_rank and only the best few hundred are ranked by cover density.
 */
export async function keywordSearch(pool: pg.Pool, scope: SearchScope, query: string): Promise<Hit[]> {
  const tsquery = orTsQuery(query);
  const trigram = UNSPACED.test(query);
  if (!tsquery && !trigram) return [];
  const filter = metadataFilterSql(scope.filter, 6);
  const search = async (client: pg.Pool | pg.PoolClient) => {
    const { rows } = await client.query<Hit>(
      `WITH q AS (SELECT to_tsquery('simple', $1) AS tsq),
       candidates AS (
         SELECT c.id, c."searchVector", c.text FROM knowledge_chunks c CROSS JOIN q
          WHERE c."knowledgeBaseId" = ANY($4::text[]) AND ${serving("$4")} AND c.enabled AND (c."searchVector" @@ q.tsq OR ($3 AND $2 <% c.text)) AND ${filter.sql}
          ORDER BY ${keywordScore("ts_rank")} DESC, c.id LIMIT ${rankedCandidates(scope.limit)}
       )
       SELECT c.id, ${keywordScore("ts_rank_cd")} AS score FROM candidates c CROSS JOIN q
        ORDER BY score DESC, c.id LIMIT $5`,
      [tsquery, query, trigram, scope.knowledgeBaseIds, scope.limit, ...filter.params],
    );
    return rows.map((row) => ({ id: row.id, score: Number(row.score) }));
  };
  // One statement, no transaction (two round trips fewer), unless the trigram threshold must be set for it.
  if (!trigram) return search(pool);
  return inTransaction(pool, async (client) => {
    // Looser than the default 0.6: a question shares only some of its trigrams with the answer.
    await client.query("SET LOCAL pg_trgm.word_similarity_threshold = 0.3");
    return search(client);
  });
}
