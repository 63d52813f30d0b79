import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db, poolOf } from "@/lib/db/client";
import type { DocumentDeps } from "@/lib/knowledge/documents";
import { ingestDocument } from "@/lib/knowledge/ingest";
import { retrieve, RETRIEVAL_MODES } from "@/lib/knowledge/retrieve";
import { createFilesystemStorage } from "@/lib/storage/filesystem";
import { CHINESE_TXT, HANDBOOK_MD, ONBOARDING_HTML, PRICES_CSV, QUESTIONS, SECURITY_PDF, TRAVEL_DOCX } from "../fixtures/knowledge-corpus";
import { makeDocx, makePdf } from "../fixtures/knowledge-files";
import { lexicalEmbedding } from "../fixtures/lexical-embeddings";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { addTestDocument, createTestKnowledgeBase } from "./helpers/knowledge";
import { createTestMember } from "./helpers/members";

let server: OpenAiServer;
let owner: Member;
let stranger: Member;
let storageDir: string;
let deps: DocumentDeps;
let kbId: string;
let strangersKbId: string;
const ids: Record<string, string> = {};

/** Adds and ingests documents in this process (the worker path is covered by knowledge.ingest.test.ts). */
async function ingest(knowledgeBaseId: string, name: string, content: string | Buffer, metadata?: Record<string, string>) {
  const doc = await addTestDocument(deps, knowledgeBaseId, name, content, { metadata });
  await ingestDocument(doc.id, deps);
  const stored = await db().knowledgeDocument.findUniqueOrThrow({ where: { id: doc.id } });
  expect(stored.status, JSON.stringify(stored.error)).toBe("indexed");
  return stored.id;
}

beforeAll(async () => {
  storageDir = await mkdtemp(path.join(tmpdir(), "weft-knowledge-"));
  deps = { db: db(), storage: createFilesystemStorage(storageDir), enqueue: async () => undefined };
  server = await startOpenAiServer({ host: "127.0.0.1" });
  [owner, stranger] = await Promise.all([createTestMember(), createTestMember()]);
  const kb = await createTestKnowledgeBase(owner.workspaceId, server.url, { chunkSize: 200, chunkOverlap: 0 });
  kbId = kb.id;
  ids.handbook = await ingest(kbId, "handbook.md", HANDBOOK_MD, { department: "HR" });
  ids.prices = await ingest(kbId, "prices.csv", PRICES_CSV, { department: "Facilities" });
  ids.onboarding = await ingest(kbId, "onboarding.html", ONBOARDING_HTML, { department: "HR" });
  ids.travel = await ingest(kbId, "travel.docx", await makeDocx(TRAVEL_DOCX), { department: "Finance" });
  ids.security = await ingest(kbId, "security.pdf", makePdf(SECURITY_PDF), { department: "IT" });
  ids.chinese = await ingest(kbId, "差旅制度.txt", CHINESE_TXT, { language: "zh" });
  const strangersKb = await createTestKnowledgeBase(stranger.workspaceId, server.url);
  strangersKbId = strangersKb.id;
  await ingest(strangersKbId, "secret.md", "# Secret\n\nEmployees get 99 vacation days per year at the competitor.");
});
afterAll(async () => {
  await server?.close();
  await rm(storageDir, { recursive: true, force: true });
});

describe("retrieval", () => {
  for (const mode of RETRIEVAL_MODES) {
    it(`finds the right chunk in the top 3 for every question (${mode})`, async () => {
      for (const { query, expect: phrase } of QUESTIONS) {
        const result = await retrieve({ db: db() }, owner.workspaceId, { knowledgeBaseIds: [kbId], query, mode, topK: 3 });
        expect(result.chunks.length, query).toBeGreaterThan(0);
        expect(result.chunks.map((c) => c.text).some((text) => text.includes(phrase)), `${mode}: "${query}" → ${result.chunks.map((c) => c.text.slice(0, 40)).join(" | ")}`).toBe(true);
        const scores = result.chunks.map((c) => c.score);
        expect(scores).toEqual([...scores].sort((a, b) => b - a));
        // Cosine similarity may be 0 or below for an unrelated chunk; keyword and fused scores are positive.
        expect(scores.every((s) => s <= 1.000001 && (mode === "vector" ? s >= -1 : s > 0)), `${mode}: ${scores.join(", ")}`).toBe(true);
      }
    });
  }

  it("finds Chinese text by keyword, with no spaces between words", async () => {
    for (const query of ["住宿标准", "出差住宿标准是多少", "年假"]) {
      const result = await retrieve({ db: db() }, owner.workspaceId, { knowledgeBaseIds: [kbId], query, mode: "keyword", topK: 3 });
      expect(result.chunks[0]?.documentName, query).toBe("差旅制度.txt");
    }
  });

  it("returns sources and a context with numbered citations", async () => {
    const result = await retrieve({ db: db() }, owner.workspaceId, { knowledgeBaseIds: [kbId], query: "How long must passwords be?", topK: 2 });
    const [first] = result.chunks;
    expect(first).toMatchObject({ documentId: ids.security, documentName: "security.pdf", page: 1, citation: 1, knowledgeBaseId: kbId });
    expect(result.context.startsWith(`[1] security.pdf, page 1\n${first!.text.trim()}`)).toBe(true);
    expect(result.context).toContain("\n\n[2] ");
  });

  it("filters on document metadata", async () => {
    const result = await retrieve({ db: db() }, owner.workspaceId, { knowledgeBaseIds: [kbId], query: "days employees first week", topK: 10, filter: { department: "HR" } });
    expect(result.chunks.length).toBeGreaterThan(0);
    expect(new Set(result.chunks.map((c) => c.documentId))).toEqual(new Set([ids.handbook, ids.onboarding].filter((id) => result.chunks.some((c) => c.documentId === id))));
    expect(result.chunks.every((c) => c.documentId === ids.handbook || c.documentId === ids.onboarding)).toBe(true);
    const none = await retrieve({ db: db() }, owner.workspaceId, { knowledgeBaseIds: [kbId], query: "vacation days", filter: { department: "Legal" } });
    expect(none.chunks).toEqual([]);
  });

  it("applies the score threshold and top-k", async () => {
    const all = await retrieve({ db: db() }, owner.workspaceId, { knowledgeBaseIds: [kbId], query: "vacation days", mode: "vector", topK: 10 });
    expect(all.chunks).toHaveLength(10);
    const threshold = all.chunks[2]!.score;
    const some = await retrieve({ db: db() }, owner.workspaceId, { knowledgeBaseIds: [kbId], query: "vacation days", mode: "vector", topK: 10, scoreThreshold: threshold });
    expect(some.chunks.length).toBeGreaterThanOrEqual(3);
    expect(some.chunks.every((c) => c.score >= threshold)).toBe(true);
  });

  it("keeps workspaces apart: another workspace's knowledge base is not found and its chunks never appear", async () => {
    await expect(retrieve({ db: db() }, owner.workspaceId, { knowledgeBaseIds: [strangersKbId], query: "vacation" })).rejects.toMatchObject({ code: "not_found" });
    await expect(retrieve({ db: db() }, owner.workspaceId, { knowledgeBaseIds: [kbId, strangersKbId], query: "vacation" })).rejects.toMatchObject({ code: "not_found" });
    for (const mode of RETRIEVAL_MODES) {
      const result = await retrieve({ db: db() }, owner.workspaceId, { knowledgeBaseIds: [kbId], query: "99 vacation days competitor", mode, topK: 50 });
      expect(result.chunks.some((c) => c.text.includes("competitor"))).toBe(false);
    }
  });

  it("leaves out disabled chunks and chunks of another index generation", async () => {
    const query = { knowledgeBaseIds: [kbId], query: "How long must passwords be?", mode: "keyword" as const, topK: 3 };
    const top = (await retrieve({ db: db() }, owner.workspaceId, query)).chunks[0]!;
    await db().knowledgeChunk.update({ where: { id: top.chunkId }, data: { enabled: false } });
    expect((await retrieve({ db: db() }, owner.workspaceId, query)).chunks.map((c) => c.chunkId)).not.toContain(top.chunkId);
    await db().knowledgeChunk.update({ where: { id: top.chunkId }, data: { enabled: true } });
    await db().knowledgeBase.update({ where: { id: kbId }, data: { indexGeneration: 2 } });
    try {
      expect((await retrieve({ db: db() }, owner.workspaceId, query)).chunks).toEqual([]);
    } finally {
      await db().knowledgeBase.update({ where: { id: kbId }, data: { indexGeneration: 1 } });
    }
  });

  it("vector search can use the HNSW index of its length", async () => {
    const client = await poolOf(db()).connect();
    try {
      await client.query("BEGIN");
      await client.query("SET LOCAL enable_seqscan = off");
      const { rows } = await client.query<{ "QUERY PLAN": string }>(
        `EXPLAIN SELECT id FROM knowledge_chunks c WHERE c.dimensions = 256 ORDER BY c.embedding::vector(256) <=> $1::vector(256) LIMIT 5`,
        [`[${lexicalEmbedding("vacation").join(",")}]`],
      );
      expect(rows.map((r) => r["QUERY PLAN"]).join("\n")).toContain("knowledge_chunks_embedding_256_idx");
      await client.query("ROLLBACK");
    } finally {
      client.release();
    }
  });

  it("refuses bad input clearly", async () => {
    await expect(retrieve({ db: db() }, owner.workspaceId, { knowledgeBaseIds: [kbId], query: "   " })).rejects.toThrow(/The query is empty/);
    await expect(retrieve({ db: db() }, owner.workspaceId, { knowledgeBaseIds: [], query: "x" })).rejects.toThrow();
    await expect(retrieve({ db: db() }, owner.workspaceId, { knowledgeBaseIds: [kbId], query: "x", topK: 500 })).rejects.toThrow();
    expect((await retrieve({ db: db() }, owner.workspaceId, { knowledgeBaseIds: [kbId], query: "?!", mode: "keyword" })).chunks).toEqual([]);
  });
});
