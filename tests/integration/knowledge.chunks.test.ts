import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as chunkRoute from "@/app/api/knowledge-bases/[id]/documents/[documentId]/chunks/[chunkId]/route";
import * as chunksRoute from "@/app/api/knowledge-bases/[id]/documents/[documentId]/chunks/route";
import * as documentRoute from "@/app/api/knowledge-bases/[id]/documents/[documentId]/route";
import * as queryRoute from "@/app/api/knowledge-bases/[id]/query/route";
import { db } from "@/lib/db/client";
import type { DocumentDeps } from "@/lib/knowledge/documents";
import { createFilesystemStorage } from "@/lib/storage/filesystem";
import { HANDBOOK_MD } from "../fixtures/knowledge-corpus";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { addTestDocument, createTestKnowledgeBase, waitForDocuments, signUpOwnerViewerStranger } from "./helpers/knowledge";
import { call, ctx } from "./helpers/studio-request";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/** Seeing and fixing a document's chunks through the studio routes, with the worker indexing for real. */
let server: OpenAiServer;
let worker: WorkerProcess;
let storageDir: string;
let deps: DocumentDeps;
let owner: { cookie: string; workspaceId: string };
let viewerCookie: string;
let strangerCookie: string;

type Chunk = { id: string; ordinal: number; text: string; enabled: boolean };
type Page = { chunks: Chunk[]; total: number };
type Query = { chunks: { chunkId: string; text: string; documentName: string }[] };

beforeAll(async () => {
  storageDir = await mkdtemp(path.join(tmpdir(), "weft-kb-chunks-"));
  const storage = createFilesystemStorage(storageDir);
  (globalThis as { __weftStorage?: unknown }).__weftStorage = storage;
  deps = { db: db(), storage };
  server = await startOpenAiServer({ host: "127.0.0.1" });
  worker = await startWorkerProcess({ WEFT_STORAGE_DIR: storageDir });
  ({ owner, viewerCookie, strangerCookie } = await signUpOwnerViewerStranger("Chunk"));
});
afterAll(async () => {
  await worker?.stop();
  await server?.close();
  await rm(storageDir, { recursive: true, force: true });
});

async function indexedHandbook() {
  const kb = await createTestKnowledgeBase(owner.workspaceId, server.url, { chunkSize: 150, chunkOverlap: 0 });
  const doc = await addTestDocument(deps, kb.id, "handbook.md", HANDBOOK_MD);
  await waitForDocuments([doc.id]);
  return { kb, doc, params: { id: kb.id, documentId: doc.id } };
}

const listChunks = async (params: { id: string; documentId: string }, cookie: string, search = "") =>
  (await (await chunksRoute.GET(call("GET", `/api/knowledge-bases/${params.id}/documents/${params.documentId}/chunks${search}`, cookie), ctx(params))).json()) as Page;
const query = async (id: string, body: object) => (await (await queryRoute.POST(call("POST", "/", owner.cookie, body), ctx({ id }))).json()) as Query;

describe("a document's chunks", () => {
  it("lists them in order, paged, and finds them by text", async () => {
    const { params } = await indexedHandbook();
    const all = await listChunks(params, viewerCookie, "?limit=100");
    expect(all.total).toBeGreaterThan(3);
    expect(all.chunks.map((c) => c.ordinal)).toEqual([...all.chunks.keys()]);
    const second = await listChunks(params, viewerCookie, "?offset=2&limit=2");
    expect(second).toMatchObject({ total: all.total, chunks: all.chunks.slice(2, 4) });
    const found = await listChunks(params, viewerCookie, "?q=LAPTOP");
    expect(found.total).toBe(1);
    expect(found.chunks[0]!.text).toContain("Lost laptops");
    // LIKE syntax is searched for as itself.
    expect((await listChunks(params, viewerCookie, "?q=%25")).total).toBe(0);
    const bad = await chunksRoute.GET(call("GET", `/x?limit=5000`, viewerCookie), ctx(params));
    expect(bad.status).toBe(400);
  });

  it("an edited chunk is re-embedded with its new text, costs are recorded, and retrieval finds the new text", async () => {
    const { kb, doc, params } = await indexedHandbook();
    const before = await db().knowledgeDocument.findUniqueOrThrow({ where: { id: doc.id } });
    const target = (await listChunks(params, owner.cookie, "?q=receipts")).chunks[0]!;
    server.reset();
    const text = "## Expenses\nSubmit receipts within 45 days through the Concur app. Taxi rides after 22:00 are reimbursed.";
    const edited = await chunkRoute.PATCH(call("PATCH", "/", owner.cookie, { text }), ctx({ ...params, chunkId: target.id }));
    expect(edited.status).toBe(200);
    expect(await edited.json()).toMatchObject({ id: target.id, text, enabled: true });
    // (OpenAIEmbeddings sends newlines as spaces.)
    expect(server.embeddingRequests().flatMap((r) => r.input as string[])).toEqual([text.replace("\n", " ")]);
    const after = await db().knowledgeDocument.findUniqueOrThrow({ where: { id: doc.id } });
    expect(after.embeddingTokens).toBeGreaterThan(before.embeddingTokens);

    for (const mode of ["vector", "keyword", "hybrid"]) {
      const result = await query(kb.id, { query: "Concur app taxi rides", mode, topK: 1 });
      expect(result.chunks[0], mode).toMatchObject({ chunkId: target.id, text });
    }
    const audit = await db().auditEvent.findFirst({ where: { workspaceId: owner.workspaceId, action: "knowledge_chunk.updated", targetId: target.id } });
    expect(audit).not.toBeNull();
    const empty = await chunkRoute.PATCH(call("PATCH", "/", owner.cookie, { text: "   " }), ctx({ ...params, chunkId: target.id }));
    expect(empty.status).toBe(400);
  });

  it("a disabled chunk is never retrieved, until it is enabled again; a deleted chunk is gone", async () => {
    const { kb, params } = await indexedHandbook();
    const target = (await listChunks(params, owner.cookie, "?q=laptop")).chunks[0]!;
    const ids = async (mode: string) => (await query(kb.id, { query: "lost laptops security team", mode, topK: 10 })).chunks.map((c) => c.chunkId);
    expect(await ids("hybrid")).toContain(target.id);
    const off = await chunkRoute.PATCH(call("PATCH", "/", owner.cookie, { enabled: false }), ctx({ ...params, chunkId: target.id }));
    expect(await off.json()).toMatchObject({ enabled: false });
    for (const mode of ["vector", "keyword", "hybrid"]) expect(await ids(mode), mode).not.toContain(target.id);
    await chunkRoute.PATCH(call("PATCH", "/", owner.cookie, { enabled: true }), ctx({ ...params, chunkId: target.id }));
    expect(await ids("keyword")).toContain(target.id);

    const total = (await listChunks(params, owner.cookie)).total;
    expect((await chunkRoute.DELETE(call("DELETE", "/", owner.cookie), ctx({ ...params, chunkId: target.id }))).status).toBe(204);
    expect(await ids("hybrid")).not.toContain(target.id);
    expect((await listChunks(params, owner.cookie)).total).toBe(total - 1);
    expect((await db().knowledgeDocument.findUniqueOrThrow({ where: { id: params.documentId } })).chunksTotal).toBe(total - 1);
    expect((await chunkRoute.DELETE(call("DELETE", "/", owner.cookie), ctx({ ...params, chunkId: target.id }))).status).toBe(404);
  });

  it("document tags edited in the studio filter retrieval at once", async () => {
    const { kb, params } = await indexedHandbook();
    const other = await addTestDocument(deps, kb.id, "laptops.md", "# Laptop policy\nLaptops are replaced every three years.", { metadata: { department: "IT" } });
    await waitForDocuments([other.id]);
    const filtered = async (filter: object) => new Set((await query(kb.id, { query: "laptops", mode: "keyword", topK: 10, filter })).chunks.map((c) => c.documentName));
    expect(await filtered({ department: "HR" })).toEqual(new Set());

    const patched = await documentRoute.PATCH(call("PATCH", "/", owner.cookie, { metadata: { department: "HR", year: 2026 } }), ctx(params));
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ metadata: { department: "HR", year: 2026 } });
    expect(await filtered({ department: "HR" })).toEqual(new Set(["handbook.md"]));
    expect(await filtered({ department: "IT" })).toEqual(new Set(["laptops.md"]));
    expect(await filtered({ year: "2026" })).toEqual(new Set(["handbook.md"]));
    const bad = await documentRoute.PATCH(call("PATCH", "/", owner.cookie, { metadata: { department: { nested: true } } }), ctx(params));
    expect(bad.status).toBe(400);
  });

  it("viewers can read but not change chunks or tags; another workspace gets 404", async () => {
    const { params } = await indexedHandbook();
    const chunk = (await listChunks(params, viewerCookie)).chunks[0]!;
    const withChunk = ctx({ ...params, chunkId: chunk.id });
    expect((await chunkRoute.PATCH(call("PATCH", "/", viewerCookie, { enabled: false }), withChunk)).status).toBe(403);
    expect((await chunkRoute.DELETE(call("DELETE", "/", viewerCookie), withChunk)).status).toBe(403);
    expect((await documentRoute.PATCH(call("PATCH", "/", viewerCookie, { metadata: { a: "b" } }), ctx(params))).status).toBe(403);

    expect((await chunksRoute.GET(call("GET", "/x", strangerCookie), ctx(params))).status).toBe(404);
    expect((await chunkRoute.PATCH(call("PATCH", "/", strangerCookie, { enabled: false }), withChunk)).status).toBe(404);
    expect((await chunkRoute.DELETE(call("DELETE", "/", strangerCookie), withChunk)).status).toBe(404);
    expect((await documentRoute.PATCH(call("PATCH", "/", strangerCookie, { metadata: { a: "b" } }), ctx(params))).status).toBe(404);
    // A chunk is reachable only through its own document's path.
    const { params: otherDoc } = await indexedHandbook();
    expect((await chunkRoute.PATCH(call("PATCH", "/", owner.cookie, { enabled: false }), ctx({ ...otherDoc, chunkId: chunk.id }))).status).toBe(404);
    expect((await db().knowledgeChunk.findUniqueOrThrow({ where: { id: chunk.id } })).enabled).toBe(true);
  });
});
