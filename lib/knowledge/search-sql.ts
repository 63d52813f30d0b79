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

/** The query's distinct words (letters and digits only, so nothing is tsquery syntax), lower case, without those of unspaced scripts. */
function queryWords(query: string): string[] {
  return [...new Set((query.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter((word) => !UNSPACED.test(word)))];
}

/** The query's words as an OR tsquery ("vacation | days"). */
export function orTsQuery(query: string): string | null {
  const words = queryWords(query);
  return words.length ? words.join(" | ") : null;
}

/** Above this many words the pairs query grows too long (n (n - 1) / 2 pairs) to be cheaper. */
const MAX_PAIRED_WORDS = 12;

/** "At least two of the words" as a tsquery ("(a & b) | (a & c) | (b & c)"), for 2 to MAX_PAIRED_WORDS words. */
export function pairsTsQuery(query: string): string | null {
  const words = queryWords(query);
  if (words.length < 2 || words.length > MAX_PAIRED_WORDS) return null;
  return words.flatMap((a, i) => words.slice(i + 1).map((b) => `(${a} & ${b})`)).join(" | ");
}

/** A chunk's keyword score with the given full-text rank function: the better of it (0..1) and the trigram similarity. */
const keywordScore = (rank: "ts_rank" | "ts_rank_cd") => `GREATEST(
    CASE WHEN c."searchVector" @@ q.tsq THEN ${rank}(c."searchVector", q.tsq, 32) ELSE 0 END,
    CASE WHEN $2 <% c.text THEN word_similarity($2, c.text) ELSE 0 END)`;

/** How many of the best matches by plain ts_rank are ranked again by cover density. */
const rankedCandidates = (limit: number) => Math.max(limit * 10, 400);

/**
 * Full-text matches pre-ranked by ts_rank, the best `candidates` of them, of a query without
 * unspaced script. Matching chunks are read from the heap one by one (scattered over the
 * table), so a query of common words costs a row read and a ts_rank per match: thousands at
 * 100,000 chunks. But ts_rank of an OR query with equal weights (the `simple` tsvector has no weights)
 * ranks every chunk holding two of the words above every chunk holding one: a word contributes
 * 0.1 × (Σ 1/k² over its occurrences) / (π²/6), so one word scores at most 0.1 / n and two at
 * least 0.12 / n. So the chunks holding at least two words (a GIN query of word pairs, usually
 * a tenth of the matches) are read first, and the single-word matches only when those are fewer
 * than `candidates`: the same candidates in the same order as pre-ranking every match.
 */
function preRankedSql(pairs: string | null, matches: (condition: string) => string, candidates: number): string {
  const rank = `ts_rank(c."searchVector", q.tsq, 32)`;
  if (!pairs) return `candidates AS (SELECT c.id, c."searchVector" ${matches(`c."searchVector" @@ q.tsq`)} ORDER BY ${rank} DESC, c.id LIMIT ${candidates})`;
  return `strong AS (SELECT c.id, c."searchVector", ${rank} AS rank ${matches(`c."searchVector" @@ q.pairs`)} ORDER BY rank DESC, c.id LIMIT ${candidates}),
       weak AS (
         SELECT c.id, c."searchVector", ${rank} AS rank
         ${matches(`(SELECT count(*) FROM strong) < ${candidates} AND c."searchVector" @@ q.tsq AND NOT c."searchVector" @@ q.pairs`)}
          ORDER BY rank DESC, c.id LIMIT ${candidates}
       ),
       candidates AS (SELECT id, "searchVector" FROM (SELECT *, 0 AS tier FROM strong UNION ALL SELECT *, 1 AS tier FROM weak) both_tiers ORDER BY tier, rank DESC, id LIMIT ${candidates})`;
}

/** Keyword search without trigrams: the pre-ranked matches ranked by cover density. One statement, no transaction. */
async function fullTextSearch(pool: pg.Pool, scope: SearchScope, query: string, tsquery: string): Promise<Hit[]> {
  const filter = metadataFilterSql(scope.filter, 5);
  const matches = (condition: string) =>
    `FROM knowledge_chunks c CROSS JOIN q WHERE c."knowledgeBaseId" = ANY($3::text[]) AND ${serving("$3")} AND c.enabled AND ${condition} AND ${filter.sql}`;
  const pairs = pairsTsQuery(query);
  const { rows } = await pool.query<Hit>(
    `WITH q AS (SELECT to_tsquery('simple', $1) AS tsq, to_tsquery('simple', $2) AS pairs),
       ${preRankedSql(pairs, matches, rankedCandidates(scope.limit))}
       SELECT c.id, ts_rank_cd(c."searchVector", q.tsq, 32) AS score FROM candidates c CROSS JOIN q
        ORDER BY score DESC, c.id LIMIT $4`,
    [tsquery, pairs, scope.knowledgeBaseIds, scope.limit, ...filter.params],
  );
  return rows.map((row) => ({ id: row.id, score: Number(row.score) }));
}

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
  if (!trigram) return fullTextSearch(pool, scope, query, tsquery!);
  const filter = metadataFilterSql(scope.filter, 5);
  const search = async (client: pg.PoolClient) => {
    const { rows } = await client.query<Hit>(
      `WITH q AS (SELECT to_tsquery('simple', $1) AS tsq),
       candidates AS (
         SELECT c.id, c."searchVector", c.text FROM knowledge_chunks c CROSS JOIN q
          WHERE c."knowledgeBaseId" = ANY($3::text[]) AND ${serving("$3")} AND c.enabled AND (c."searchVector" @@ q.tsq OR $2 <% c.text) AND ${filter.sql}
          ORDER BY ${keywordScore("ts_rank")} DESC, c.id LIMIT ${rankedCandidates(scope.limit)}
       )
       SELECT c.id, ${keywordScore("ts_rank_cd")} AS score FROM candidates c CROSS JOIN q
        ORDER BY score DESC, c.id LIMIT $4`,
      [tsquery, query, scope.knowledgeBaseIds, scope.limit, ...filter.params],
    );
    return rows.map((row) => ({ id: row.id, score: Number(row.score) }));
  };
  return inTransaction(pool, async (client) => {
    // Looser than the default 0.6: a question shares only some of its trigrams with the answer.
    await client.query("SET LOCAL pg_trgm.word_similarity_threshold = 0.3");
    return search(client);
  });
}
