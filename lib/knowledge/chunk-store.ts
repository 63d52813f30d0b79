import pgvector from "pgvector";
import type pg from "pg";

/**
 * The SQL of knowledge_chunks (the vector and tsvector columns are outside Prisma's types).
 * A document's chunks of one generation are replaced in one transaction, so readers see the old
 * set or the new one, never a mix, and a job interrupted before the swap leaves no trace.
 */
export interface ChunkRow {
  ordinal: number;
  text: string;
  contentHash: string;
  page: number | null;
  section: string | null;
  tokenCount: number;
  embedding: number[];
}

/** Embeddings already stored in the knowledge base for these texts (generations of the same model, same length), by content hash. */
export async function storedEmbeddings(pool: pg.Pool, knowledgeBaseId: string, generations: number[], dimensions: number, hashes: string[]): Promise<Map<string, number[]>> {
  if (!hashes.length) return new Map();
  const { rows } = await pool.query<{ contentHash: string; embedding: string }>(
    `SELECT DISTINCT ON ("contentHash") "contentHash", embedding::text AS embedding
       FROM knowledge_chunks
      WHERE "knowledgeBaseId" = $1 AND generation = ANY($2::int[]) AND dimensions = $3 AND "contentHash" = ANY($4::text[]) AND embedding IS NOT NULL`,
    [knowledgeBaseId, generations, dimensions, hashes],
  );
  return new Map(rows.map((row) => [row.contentHash, pgvector.fromSql(row.embedding) as number[]]));
}

export interface ReplaceChunksInput {
  documentId: string;
  knowledgeBaseId: string;
  generation: number;
  dimensions: number;
  chunks: ChunkRow[];
}

const INSERT_BATCH = 500;

/**
 * Deletes the document's chunks of this generation and inserts the new ones, inside the caller's
 * transaction. `enabled` and chunk metadata survive for chunks whose text is unchanged.
 */
export async function replaceDocumentChunks(client: pg.PoolClient, input: ReplaceChunksInput): Promise<void> {
  const { rows: kept } = await client.query<{ contentHash: string; enabled: boolean; metadata: unknown }>(
    `DELETE FROM knowledge_chunks WHERE "documentId" = $1 AND generation = $2 RETURNING "contentHash", enabled, metadata`,
    [input.documentId, input.generation],
  );
  const previous = new Map(kept.map((row) => [row.contentHash, row]));
  for (let start = 0; start < input.chunks.length; start += INSERT_BATCH) {
    const batch = input.chunks.slice(start, start + INSERT_BATCH);
    await client.query(
      `INSERT INTO knowledge_chunks (id, "documentId", "knowledgeBaseId", generation, dimensions, ordinal, text, "contentHash", page, section, "tokenCount", enabled, metadata, embedding)
       SELECT gen_random_uuid(), $1, $2, $3, $4, c.ordinal, c.text, c.hash, c.page, c.section, c.tokens, c.enabled, c.metadata, c.embedding::vector
         FROM unnest($5::int[], $6::text[], $7::text[], $8::int[], $9::text[], $10::int[], $11::boolean[], $12::jsonb[], $13::text[])
           AS c(ordinal, text, hash, page, section, tokens, enabled, metadata, embedding)`,
      [
        input.documentId,
        input.knowledgeBaseId,
        input.generation,
        input.dimensions,
        batch.map((c) => c.ordinal),
        batch.map((c) => c.text),
        batch.map((c) => c.contentHash),
        batch.map((c) => c.page),
        batch.map((c) => c.section),
        batch.map((c) => c.tokenCount),
        batch.map((c) => previous.get(c.contentHash)?.enabled ?? true),
        batch.map((c) => JSON.stringify(previous.get(c.contentHash)?.metadata ?? {})),
        batch.map((c) => pgvector.toSql(c.embedding)),
      ],
    );
  }
}
