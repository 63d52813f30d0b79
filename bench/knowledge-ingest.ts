/**
 * Knowledge ingestion throughput: DOCS generated Markdown documents (about 20 chunks of 400 characters each, as in the issue: 1,000 documents ≈ 20,000 chunks) are added
 * to one knowledge base and ingested by the real pipeline (parse → split → embed through LangChain
 * against the OpenAI-wire test server → swap into pgvector), CONCURRENCY at a time, in this process.
 * Prints chunks per second end to end and without the time spent waiting on the embedding server,
 * the CPU each chunk costs (this process = the worker's pipeline; the PostgreSQL backends; the
 * embedding server, which runs in a child process so that its work is counted apart), the SQL
 * statements per document, and the process's memory every tenth of the way (flat memory = nothing
 * grows with the documents). CPU time is the figure to compare on a loaded machine: wall time
 * there measures the other jobs too. Prints figures, asserts nothing.
 *
 *   node --expose-gc --import tsx bench/knowledge-ingest.ts [--docs 1000] [--concurrency 2] [--batch 64]
 *
 * Uses its own database (BENCH_DATABASE_URL, default weft_bench_knowledge, reset at start).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { ensureDatabase } from "../scripts/lib/database";
import { startEmbeddingServerProcess } from "./lib/child-server";
import { backendCpuBetween, databaseBackendCpu, treeCpu } from "./lib/proc";

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
};
const DOCS = Number(arg("docs", "1000"));
const CONCURRENCY = Number(arg("concurrency", "2"));
const BATCH = arg("batch", process.env.WEFT_EMBEDDING_BATCH_SIZE ?? "64");
const countersDir = await mkdtemp(path.join(tmpdir(), "weft-bench-knowledge-counts-"));

Object.assign(process.env, {
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft_bench_knowledge",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  WEFT_REDIS_PREFIX: "weft-bench-knowledge",
  WEFT_SECRET_KEYS: "b1:YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGU=",
  BETTER_AUTH_SECRET: "bench-secret-0123456789-0123456789",
  BETTER_AUTH_URL: "http://localhost:3000",
  WEFT_ALLOW_PRIVATE_NETWORK: "true",
  LOG_LEVEL: "warn",
  WEFT_EMBEDDING_BATCH_SIZE: BATCH,
  // Counts the SQL statements of the pool (lib/metrics/io-counters.ts), read in-process below.
  WEFT_BENCH_COUNTERS_DIR: countersDir,
});

const WORDS = "policy leave travel expense laptop security badge office manager approval receipt hotel train meal budget invoice customer contract onboarding training password report team project deadline review".split(" ");

/** A deterministic Markdown document (about 20 chunks of 400 characters). */
function documentText(n: number): string {
  let seed = n * 7919 + 1;
  const word = () => WORDS[(seed = (seed * 48271) % 2147483647) % WORDS.length]!;
  const sections = Array.from({ length: 4 }, (_, s) => {
    const sentences = Array.from({ length: 12 }, () => `${Array.from({ length: 9 }, word).join(" ")}.`);
    return `## Section ${s + 1} of document ${n}\n\n${sentences.slice(0, 6).join(" ")}\n\n${sentences.slice(6).join(" ")}`;
  });
  return `# Document ${n}\n\n${sections.join("\n\n")}\n`;
}

await ensureDatabase(process.env.DATABASE_URL!, { reset: true, quiet: true });
const { db } = await import("@/lib/db/client");
const { addDocument } = await import("@/lib/knowledge/documents");
const { ingestDocument } = await import("@/lib/knowledge/ingest");
const { createFilesystemStorage } = await import("@/lib/storage/filesystem");
const { ioCounts } = await import("@/lib/metrics/io-counters");

const server = await startEmbeddingServerProcess(["bench-embedding"]);
const storageDir = await mkdtemp(path.join(tmpdir(), "weft-bench-knowledge-"));
const storage = createFilesystemStorage(storageDir);
const workspace = await db().workspace.create({ data: { name: "Bench" } });
const provider = await db().modelProvider.create({ data: { workspaceId: workspace.id, name: "Bench embeddings", kind: "openai_compatible", preset: "custom", baseUrl: server.url, models: ["bench-embedding"] } });
const kb = await db().knowledgeBase.create({
  data: { workspaceId: workspace.id, name: "Bench", embeddingProviderId: provider.id, embeddingModel: "bench-embedding", dimensions: 256, chunkSize: 400, chunkOverlap: 0, splitter: "markdown" },
});

let started = performance.now();
const ids: string[] = [];
for (let n = 0; n < DOCS; n++) {
  const doc = await addDocument({ db: db(), storage, enqueue: async () => undefined }, kb.id, { name: `doc-${n}.md`, mimeType: "text/markdown", sourceKind: "file", body: Readable.from([Buffer.from(documentText(n))]) });
  ids.push(doc.id);
}
console.log(`added ${DOCS} documents to storage in ${((performance.now() - started) / 1000).toFixed(1)} s`);

// Time spent waiting on the embedding server (its own work, not the pipeline's), summed over requests.
let embeddingWaitMs = 0;
const timedFetch: typeof fetch = async (input, init) => {
  const t = performance.now();
  try {
    return await fetch(input, init);
  } finally {
    embeddingWaitMs += performance.now() - t;
  }
};

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
// With --expose-gc, memory is read after a full collection: what stays, not garbage waiting for the collector.
const collect = (globalThis as { gc?: () => void }).gc;
const memory = () => {
  collect?.();
  const m = process.memoryUsage();
  return `rss ${mb(m.rss)}, heap ${mb(m.heapUsed)}`;
};
console.log(`memory before ingestion: ${memory()}`);
// Opens the pool's connections now, so the backends sampled before are the ones that do the work.
await Promise.all(Array.from({ length: 10 }, () => db().$queryRawUnsafe("SELECT 1 FROM pg_sleep(0.05)")));
const before = { cpu: process.cpuUsage(), server: treeCpu(server.pid), backends: await databaseBackendCpu(process.env.DATABASE_URL!), sql: ioCounts().sql };
const load = loadavg()[0]!;
started = performance.now();
let next = 0;
let done = 0;
async function lane() {
  while (next < ids.length) {
    const id = ids[next++]!;
    await ingestDocument(id, { db: db(), storage, embedder: { fetch: timedFetch, allowPrivateNetwork: true } });
    done++;
    if (done % Math.max(1, Math.floor(DOCS / 10)) === 0) console.log(`  ${done} documents: ${memory()}`);
  }
}
await Promise.all(Array.from({ length: CONCURRENCY }, lane));
const seconds = (performance.now() - started) / 1000;
const used = process.cpuUsage(before.cpu);
const pipelineCpu = (used.user + used.system) / 1e6;
const serverCpu = treeCpu(server.pid) - before.server;
const databaseCpu = backendCpuBetween(before.backends, await databaseBackendCpu(process.env.DATABASE_URL!));
const sql = ioCounts().sql;

const chunks = await db().knowledgeChunk.count({ where: { knowledgeBaseId: kb.id } });
const failed = await db().knowledgeDocument.count({ where: { knowledgeBaseId: kb.id, status: { not: "indexed" } } });
// Lanes overlap their waits, so the embedding share is the summed wait divided by the lanes.
const pipelineSeconds = Math.max(seconds - embeddingWaitMs / 1000 / CONCURRENCY, 0.001);
console.log(`ingested ${DOCS} documents, ${chunks} chunks (${failed} not indexed) in ${seconds.toFixed(1)} s with ${CONCURRENCY} at a time`);
console.log(`  end to end: ${(chunks / seconds).toFixed(0)} chunks/s`);
console.log(`  without waiting on the embedding server (${(embeddingWaitMs / 1000).toFixed(1)} s of requests over ${CONCURRENCY} lanes): ${(chunks / pipelineSeconds).toFixed(0)} chunks/s`);
const perChunk = (cpu: number) => `${((cpu * 1000) / chunks).toFixed(2)} ms`;
console.log(`  CPU per chunk: pipeline (this process) ${perChunk(pipelineCpu)}, PostgreSQL ${perChunk(databaseCpu)}, embedding server ${perChunk(serverCpu)}`);
console.log(`  chunks per CPU second of pipeline + PostgreSQL (embedding server excluded): ${(chunks / (pipelineCpu + databaseCpu)).toFixed(0)}`);
const byKind = Object.entries(sql.byKind).map(([kind, n]) => `${kind} ${((n - (before.sql.byKind[kind] ?? 0)) / DOCS).toFixed(1)}`).join(", ");
console.log(`  SQL statements per document: ${((sql.statements - before.sql.statements) / DOCS).toFixed(1)} (${byKind}), batch ${BATCH} texts per embedding request`);
console.log(`  load average at start ${load.toFixed(2)}, at end ${loadavg()[0]!.toFixed(2)}`);
console.log(`memory after: ${memory()}`);

server.close();
await rm(storageDir, { recursive: true, force: true });
await rm(countersDir, { recursive: true, force: true });
await db().$disconnect();
process.exit(0);
