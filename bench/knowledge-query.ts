/**
 * Knowledge retrieval latency and HNSW recall. Loads CHUNKS chunks of DIMENSIONS dimensions into a
 * knowledge base of its own database (bulk INSERT … SELECT FROM unnest, the HNSW index of that length
 * dropped during the load and built afterwards with the migration's own definition), then runs
 * QUERIES queries through the product's retrieval function (`retrieve`, the one the Knowledge node
 * and the Agent's knowledge tools use: query embedding by the test embedding server in a child
 * process, SQL, fusion, chunk read) in hybrid, vector and keyword mode, with the CPU each query
 * costs (this process, the PostgreSQL backends, the embedding server: on a loaded machine the
 * figure that does not depend on the other jobs), and measures recall@10 of vector mode against
 * exact search (same vectors, index scans off).
 *
 * The data: texts of about 60 words drawn mostly from one of TOPICS topic vocabularies (generated
 * words), so keyword search has many matches to rank; vectors are the test server's lexical
 * embedding of each text (tests/fixtures/lexical-embeddings.ts), so texts of a topic cluster and a
 * query embedded by the server lands among its topic's chunks. Recall counts a returned chunk as
 * right when its distance is within the exact 10th distance (ties at the boundary are equally right).
 * It is measured for two query sets: passages (held-out texts of the data's own distribution, the
 * usual way to measure an ANN index) and the five-word queries of the latency runs. The test
 * server's lexical vector of five words has five non-zero coordinates of 768, nothing like a
 * model's dense query vector; the graph, built from 60-word chunks, finds their exact neighbours
 * less well, so that figure says more about the test embedding than about the index.
 * Prints figures, asserts nothing.
 *
 *   node --import tsx bench/knowledge-query.ts [--chunks 100000] [--queries 100] [--dimensions 768] [--topics 100] [--reuse]
 *
 * Uses its own database (BENCH_DATABASE_URL, default weft_bench_knowledge_query, reset at start).
 * With --reuse, a database loaded by an earlier run with the same --chunks, --dimensions and
 * --topics is kept (the data is generated from a fixed seed, so it is the same data) and the
 * load and index build (minutes) are skipped; without such a database it loads as usual.
 */
import { loadavg } from "node:os";
import pgvector from "pgvector";
import { ensureDatabase } from "../scripts/lib/database";
import { lexicalEmbedding } from "../tests/fixtures/lexical-embeddings";
import { startEmbeddingServerProcess } from "./lib/child-server";
import { backendCpuBetween, databaseBackendCpu, treeCpu } from "./lib/proc";

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const CHUNKS = arg("chunks", 100_000);
const QUERIES = arg("queries", 100);
const DIMENSIONS = arg("dimensions", 768);
const TOPICS = arg("topics", 100);
const REUSE = process.argv.includes("--reuse");
const CHUNKS_PER_DOCUMENT = 100;
const LOAD_BATCH = 1_000;

Object.assign(process.env, {
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft_bench_knowledge_query",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  WEFT_REDIS_PREFIX: "weft-bench-knowledge-query",
  WEFT_SECRET_KEYS: "b1:YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGU=",
  BETTER_AUTH_SECRET: "bench-secret-0123456789-0123456789",
  BETTER_AUTH_URL: "http://localhost:3000",
  WEFT_ALLOW_PRIVATE_NETWORK: "true",
  LOG_LEVEL: "warn",
});

/** mulberry32: a small seeded generator, so every run loads the same data. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const rand = random(42);
const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)]!;

const SYLLABLES = "ka lo mi ra ten su vo pe li dan or ex ur bel qui nas to fe gri mon sal vek ju har pol zin cer du bra wim".split(" ");
const vocabulary = [...new Set(Array.from({ length: 6_000 }, () => Array.from({ length: 2 + Math.floor(rand() * 3) }, () => pick(SYLLABLES)).join("")))];
/** Each topic has its own 120 words; texts of a topic share them, so their vectors cluster. */
const topics = Array.from({ length: TOPICS }, () => Array.from({ length: 120 }, () => pick(vocabulary)));

function chunkText(topic: string[]): string {
  return Array.from({ length: 60 }, () => (rand() < 0.7 ? pick(topic) : pick(vocabulary))).join(" ");
}
const queryText = (topic: string[]) => Array.from({ length: 5 }, () => pick(topic)).join(" ");

/** pgvector's text form, short: lexical vectors are mostly zeros. */
const vectorText = (vector: number[]) => `[${vector.map((x) => (x === 0 ? "0" : x.toFixed(6))).join(",")}]`;

/** What a loaded database holds, kept in its knowledge base's description so that --reuse finds only the same data. */
const DATA_KEY = `chunks=${CHUNKS} dimensions=${DIMENSIONS} topics=${TOPICS}`;

await ensureDatabase(process.env.DATABASE_URL!, { reset: !REUSE, quiet: true });
const { db, poolOf } = await import("@/lib/db/client");
const { inTransaction } = await import("@/lib/db/transaction");
const { retrieve } = await import("@/lib/knowledge/retrieve");
const { createEmbedder } = await import("@/lib/knowledge/embeddings");
const pool = poolOf(db());

const server = await startEmbeddingServerProcess(["bench-embedding"], { dimensions: DIMENSIONS });

/** The knowledge base of an earlier run with the same data (its provider pointed at this run's embedding server), or null. */
async function loadedBase() {
  if (!REUSE) return null;
  const found = await db().knowledgeBase.findFirst({ where: { name: "Bench", description: DATA_KEY } });
  if (!found || (await db().knowledgeChunk.count({ where: { knowledgeBaseId: found.id } })) !== CHUNKS) return null;
  const provider = await db().modelProvider.update({ where: { id: found.embeddingProviderId }, data: { baseUrl: server.url } });
  return { workspace: { id: found.workspaceId }, provider, kb: found };
}

async function newBase() {
  // An earlier run's data of other sizes would be searched too.
  if (REUSE) await ensureDatabase(process.env.DATABASE_URL!, { reset: true, quiet: true });
  const workspace = await db().workspace.create({ data: { name: "Bench" } });
  const provider = await db().modelProvider.create({ data: { workspaceId: workspace.id, name: "Bench embeddings", kind: "openai_compatible", preset: "custom", baseUrl: server.url, models: ["bench-embedding"] } });
  const kb = await db().knowledgeBase.create({
    data: { workspaceId: workspace.id, name: "Bench", description: DATA_KEY, embeddingProviderId: provider.id, embeddingModel: "bench-embedding", dimensions: DIMENSIONS, chunkSize: 400, chunkOverlap: 0, splitter: "recursive" },
  });
  return { workspace, provider, kb };
}

const reused = await loadedBase();
const { workspace, provider, kb } = reused ?? (await newBase());

/** Documents (the chunks' parents), CHUNKS_PER_DOCUMENT chunks each. */
async function createDocuments(): Promise<string[]> {
  const count = Math.ceil(CHUNKS / CHUNKS_PER_DOCUMENT);
  const ids = Array.from({ length: count }, () => crypto.randomUUID());
  await db().knowledgeDocument.createMany({
    data: ids.map((id, n) => ({ id, knowledgeBaseId: kb.id, name: `doc-${n}.txt`, sourceKind: "text" as const, mimeType: "text/plain", status: "indexed" as const, indexGeneration: 1 })),
  });
  return ids;
}

/** The HNSW index of this length is dropped during the load (one build is far cheaper than 100,000 inserts) and its definition kept. */
async function dropVectorIndex(): Promise<string | null> {
  const { rows } = await pool.query<{ name: string; definition: string }>(
    `SELECT indexname AS name, indexdef AS definition FROM pg_indexes WHERE tablename = 'knowledge_chunks' AND indexdef LIKE '%USING hnsw%' AND indexdef LIKE $1`,
    [`%dimensions = ${DIMENSIONS})%`],
  );
  if (!rows[0]) return null;
  await pool.query(`DROP INDEX "${rows[0].name}"`);
  return rows[0].definition;
}

async function loadChunks(documentIds: string[]): Promise<void> {
  for (let start = 0; start < CHUNKS; start += LOAD_BATCH) {
    const n = Math.min(LOAD_BATCH, CHUNKS - start);
    const texts = Array.from({ length: n }, (_, i) => chunkText(topics[(start + i) % TOPICS]!));
    await pool.query(
      `INSERT INTO knowledge_chunks (id, "documentId", "knowledgeBaseId", generation, dimensions, ordinal, text, "contentHash", "tokenCount", embedding)
       SELECT gen_random_uuid(), c.document, $1, 1, $2, c.ordinal, c.text, md5(c.text), 60, c.embedding::vector
         FROM unnest($3::text[], $4::int[], $5::text[], $6::text[]) AS c(document, ordinal, text, embedding)`,
      [
        kb.id,
        DIMENSIONS,
        texts.map((_, i) => documentIds[Math.floor((start + i) / CHUNKS_PER_DOCUMENT)]!),
        texts.map((_, i) => (start + i) % CHUNKS_PER_DOCUMENT),
        texts,
        texts.map((text) => vectorText(lexicalEmbedding(text, DIMENSIONS))),
      ],
    );
  }
}

async function buildIndex(definition: string): Promise<void> {
  await inTransaction(pool, async (client) => {
    // The whole graph in memory (else the build spills to disk and takes many times longer).
    await client.query("SET LOCAL maintenance_work_mem = '1GB'");
    await client.query(definition);
  });
  await pool.query("ANALYZE knowledge_chunks");
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);
/** The generator's draws of a load without the load, so that the queries after it are the same as in the run that loaded. */
function skipChunks(): void {
  for (let n = 0; n < CHUNKS; n++) chunkText(topics[n % TOPICS]!);
}

if (reused) {
  skipChunks();
  console.log(`reusing the loaded ${DATA_KEY} (--reuse), load average ${loadavg()[0]!.toFixed(2)}`);
} else {
  let started = performance.now();
  const documentIds = await createDocuments();
  const definition = await dropVectorIndex();
  await loadChunks(documentIds);
  console.log(`loaded ${CHUNKS} chunks of ${DIMENSIONS} dimensions (${TOPICS} topics) in ${seconds(started)} s, load average ${loadavg()[0]!.toFixed(2)}`);
  started = performance.now();
  if (definition) await buildIndex(definition);
  console.log(definition ? `built the HNSW index in ${seconds(started)} s: ${definition}` : `no HNSW index for ${DIMENSIONS} dimensions: vector search is exact`);
}

const queries = Array.from({ length: QUERIES }, (_, i) => queryText(topics[(i * 7) % TOPICS]!));
/** Held-out passages (not loaded), for recall on queries of the data's own distribution. */
const passages = Array.from({ length: QUERIES }, (_, i) => chunkText(topics[(i * 13) % TOPICS]!));
const deps = { db: db(), embedder: { allowPrivateNetwork: true } };
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

/** Wall times of `work` over every query, sorted, and the CPU per query of this process, PostgreSQL and the embedding server. */
async function timed(work: (query: string) => Promise<unknown>) {
  // Warm-up, and opens the pool's connections first, so the backends sampled before are the ones that do the work.
  await Promise.all(queries.slice(0, 10).map(work));
  const before = { cpu: process.cpuUsage(), server: treeCpu(server.pid), backends: await databaseBackendCpu(process.env.DATABASE_URL!) };
  const times: number[] = [];
  for (const query of queries) {
    const t = performance.now();
    await work(query);
    times.push(performance.now() - t);
  }
  const used = process.cpuUsage(before.cpu);
  const cpu = {
    node: (used.user + used.system) / 1000 / queries.length,
    database: (backendCpuBetween(before.backends, await databaseBackendCpu(process.env.DATABASE_URL!)) * 1000) / queries.length,
    server: ((treeCpu(server.pid) - before.server) * 1000) / queries.length,
  };
  return { times: times.sort((a, b) => a - b), cpu };
}

const latency = (mode: "hybrid" | "vector" | "keyword") => timed((query) => retrieve(deps, workspace.id, { knowledgeBaseIds: [kb.id], query, mode, topK: 10 }));

/** The query embedding alone (the test server's round trip): the share of vector and hybrid latency that is not the search. */
async function embeddingLatency() {
  const embedder = await createEmbedder({ providerId: provider.id, model: "bench-embedding", dimensions: DIMENSIONS }, { db: db(), workspaceId: workspace.id, allowPrivateNetwork: true });
  return { embedder, ...(await timed((query) => embedder.embed([query]))) };
}

/** The exact top 10 (index scans off: a sequential scan computes every distance) and its 10th distance. */
async function exactTop(vector: number[]) {
  return inTransaction(pool, async (client) => {
    await client.query("SET LOCAL enable_indexscan = off");
    await client.query("SET LOCAL enable_bitmapscan = off");
    const { rows } = await client.query<{ id: string; distance: number }>(
      `SELECT id, embedding::vector(${DIMENSIONS}) <=> $1::vector(${DIMENSIONS}) AS distance FROM knowledge_chunks
        WHERE "knowledgeBaseId" = $2 AND dimensions = ${DIMENSIONS} ORDER BY distance LIMIT 10`,
      [pgvector.toSql(vector), kb.id],
    );
    return rows;
  });
}

/** recall@10 of vector retrieval through `retrieve` against exact search, by distance (tie-tolerant) and by id. */
async function recall(embedder: Awaited<ReturnType<typeof embeddingLatency>>["embedder"], texts: string[]) {
  let byDistance = 0;
  let byId = 0;
  for (const query of texts) {
    const { vectors } = await embedder.embed([query]);
    const exact = await exactTop(vectors[0]!);
    const found = await retrieve(deps, workspace.id, { knowledgeBaseIds: [kb.id], query, mode: "vector", topK: 10 });
    const { rows } = await pool.query<{ id: string; distance: number }>(
      `SELECT id, embedding::vector(${DIMENSIONS}) <=> $1::vector(${DIMENSIONS}) AS distance FROM knowledge_chunks WHERE id = ANY($2::text[])`,
      [pgvector.toSql(vectors[0]!), found.chunks.map((chunk) => chunk.chunkId)],
    );
    const tenth = exact.at(-1)!.distance + 1e-9;
    byDistance += rows.filter((row) => row.distance <= tenth).length / exact.length;
    const exactIds = new Set(exact.map((row) => row.id));
    byId += rows.filter((row) => exactIds.has(row.id)).length / exact.length;
  }
  return { byDistance: byDistance / texts.length, byId: byId / texts.length };
}

const table: string[][] = [["measure", "p50 ms", "p99 ms", "mean ms", "CPU ms/query: node", "PostgreSQL", "embedding server"]];
const row = (name: string, { times, cpu }: Awaited<ReturnType<typeof timed>>) =>
  table.push([name, ...[percentile(times, 50), percentile(times, 99), times.reduce((a, b) => a + b, 0) / times.length, cpu.node, cpu.database, cpu.server].map((n) => n.toFixed(1))]);
const loadAtStart = loadavg()[0]!;
for (const mode of ["hybrid", "vector", "keyword"] as const) row(`retrieve, ${mode}`, await latency(mode));
const embedding = await embeddingLatency();
row("query embedding alone (test server round trip)", embedding);
const loadAtEnd = loadavg()[0]!;
const recalled = { passages: await recall(embedding.embedder, passages), short: await recall(embedding.embedder, queries) };

console.log(`\n${CHUNKS} chunks, ${DIMENSIONS} dimensions, ${QUERIES} queries of five words, top 10; load average ${loadAtStart.toFixed(2)} at the start of the queries, ${loadAtEnd.toFixed(2)} at the end`);
const widths = table[0]!.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
for (const r of table) console.log(r.map((cell, c) => (c ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!))).join("  "));
for (const [name, figures] of [["passage queries", recalled.passages], ["five-word queries", recalled.short]] as const) {
  console.log(`recall@10 of vector retrieval against exact search, ${name}: ${figures.byDistance.toFixed(3)} (within the exact 10th distance), ${figures.byId.toFixed(3)} (same chunk ids)`);
}
console.log(`load average after recall: ${loadavg()[0]!.toFixed(2)}`);

server.close();
await db().$disconnect();
process.exit(0);
