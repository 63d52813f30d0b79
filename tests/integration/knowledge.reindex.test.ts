import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as documentRoute from "@/app/api/knowledge-bases/[id]/documents/[documentId]/route";
import * as queryRoute from "@/app/api/knowledge-bases/[id]/query/route";
import * as kbRoute from "@/app/api/knowledge-bases/[id]/route";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { db } from "@/lib/db/client";
import type { DocumentDeps } from "@/lib/knowledge/documents";
import { createFilesystemStorage } from "@/lib/storage/filesystem";
import { HANDBOOK_MD } from "../fixtures/knowledge-corpus";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { addTestDocument, chunksOf, waitForDocuments } from "./helpers/knowledge";
import { createTestProvider } from "./helpers/providers";
import { signUpUser } from "./helpers/session";
import { call, ctx } from "./helpers/studio-request";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/** Re-indexing after a change of model or chunking, and re-uploading a changed file, with a real worker. */
let server: OpenAiServer;
let worker: WorkerProcess;
let storageDir: string;
let deps: DocumentDeps;
let owner: { cookie: string; workspaceId: string };
let editorCookie: string;
let strangerCookie: string;
let providerId: string;

beforeAll(async () => {
  storageDir = await mkdtemp(path.join(tmpdir(), "weft-kb-reindex-"));
  const storage = createFilesystemStorage(storageDir);
  (globalThis as { __weftStorage?: unknown }).__weftStorage = storage;
  deps = { db: db(), storage };
  server = await startOpenAiServer({ host: "127.0.0.1" });
  worker = await startWorkerProcess({ WEFT_STORAGE_DIR: storageDir, WEFT_EMBEDDING_BATCH_SIZE: "2" });
  owner = await signUpUser("Reindex Owner");
  strangerCookie = (await signUpUser("Reindex Stranger")).cookie;
  const editor = await signUpUser("Reindex Editor");
  await db().membership.create({ data: { userId: editor.userId, workspaceId: owner.workspaceId, role: "editor" } });
  editorCookie = `${editor.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}`;
  providerId = (await createTestProvider(owner.workspaceId, server.url, { models: ["test-embedding", "test-embedding-v2"] })).id;
});
afterAll(async () => {
  await worker?.stop();
  await server?.close();
  await rm(storageDir, { recursive: true, force: true });
});

async function knowledgeBase(chunkSize = 400) {
  return db().knowledgeBase.create({
    data: { workspaceId: owner.workspaceId, name: `KB ${Math.random().toString(36).slice(2, 8)}`, embeddingProviderId: providerId, embeddingModel: "test-embedding", dimensions: 256, chunkSize, chunkOverlap: 0 },
  });
}

const patch = (id: string, body: object, cookie = owner.cookie) => kbRoute.PATCH(call("PATCH", "/", cookie, body), ctx({ id }));
const generationsOf = async (chunkIds: string[]) => new Set((await db().knowledgeChunk.findMany({ where: { id: { in: chunkIds } }, select: { generation: true } })).map((c) => c.generation));
const query = async (id: string) =>
  ((await (await queryRoute.POST(call("POST", "/", owner.cookie, { query: "vacation days carry over", mode: "hybrid", topK: 3 }), ctx({ id }))).json()) as { chunks: { chunkId: string; text: string }[] }).chunks;

async function waitForSwitch(id: string, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const kb = await db().knowledgeBase.findUniqueOrThrow({ where: { id } });
    if (!kb.reindex) return kb;
    if (Date.now() > deadline) throw new Error("re-index did not complete");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("re-index", () => {
  it("a new model and chunk size: the old generation serves until the new one is complete, then switches and the old rows go", async () => {
    const kb = await knowledgeBase(400);
    const doc = await addTestDocument(deps, kb.id, "handbook.md", HANDBOOK_MD);
    await waitForDocuments([doc.id]);
    const oldChunks = await chunksOf(doc.id);
    expect(new Set(oldChunks.map((c) => c.generation))).toEqual(new Set([1]));

    server.setEmbeddingDelay(700);
    try {
      const changed = await patch(kb.id, { embedding: { providerId, model: "test-embedding-v2" }, chunkSize: 150 });
      expect(changed.status).toBe(200);
      expect(await changed.json()).toMatchObject({ embeddingModel: "test-embedding", chunkSize: 400, indexGeneration: 1, reindex: { generation: 2, embeddingModel: "test-embedding-v2", chunkSize: 150 } });

      // Mid re-index: answers come from generation 1, the query embedded with the serving model.
      server.reset();
      server.setEmbeddingDelay(700);
      const during = await query(kb.id);
      expect(during.length).toBeGreaterThan(0);
      expect(await generationsOf(during.map((c) => c.chunkId))).toEqual(new Set([1]));
      expect(server.embeddingRequests().filter((r) => [r.input].flat().join() === "vacation days carry over").map((r) => r.model)).toEqual(["test-embedding"]);
      expect((await db().knowledgeBase.findUniqueOrThrow({ where: { id: kb.id } })).indexGeneration).toBe(1);
    } finally {
      server.setEmbeddingDelay(0);
    }

    const switched = await waitForSwitch(kb.id);
    expect(switched).toMatchObject({ indexGeneration: 2, embeddingModel: "test-embedding-v2", chunkSize: 150, reindex: null });
    const after = await query(kb.id);
    expect(await generationsOf(after.map((c) => c.chunkId))).toEqual(new Set([2]));
    const newChunks = await chunksOf(doc.id);
    expect(new Set(newChunks.map((c) => c.generation))).toEqual(new Set([2]));
    expect(newChunks.length).toBeGreaterThan(oldChunks.length);
    expect(await db().knowledgeDocument.findUniqueOrThrow({ where: { id: doc.id } })).toMatchObject({ status: "indexed", indexGeneration: 2 });
    const audit = await db().auditEvent.findFirst({ where: { workspaceId: owner.workspaceId, action: "knowledge_base.reindex_started", targetId: kb.id } });
    expect(audit).not.toBeNull();
  });

  it("only the chunking changed: unchanged texts keep their embeddings; same settings again start nothing", async () => {
    const kb = await knowledgeBase(300);
    const doc = await addTestDocument(deps, kb.id, "notes.md", "# Notes\n\nShort note one.\n\n# More\n\nShort note two.");
    await waitForDocuments([doc.id]);
    server.reset();
    // A splitter change that leaves these short sections' texts as they were.
    expect((await patch(kb.id, { chunkSize: 320 })).status).toBe(200);
    await waitForSwitch(kb.id);
    expect(server.embeddingRequests()).toEqual([]);
    expect((await chunksOf(doc.id)).every((c) => c.generation === 2 && c.hasEmbedding)).toBe(true);

    const same = await patch(kb.id, { chunkSize: 320, name: "Renamed" });
    expect(await same.json()).toMatchObject({ name: "Renamed", indexGeneration: 2, reindex: null });
  });

  it("a knowledge base without documents switches at once; bad settings and other roles are refused", async () => {
    const kb = await knowledgeBase();
    expect(await (await patch(kb.id, { chunkSize: 800 })).json()).toMatchObject({ chunkSize: 800, indexGeneration: 2, reindex: null });
    const overlap = await patch(kb.id, { chunkOverlap: 500 });
    expect(overlap.status).toBe(400);
    const unknownModel = await patch(kb.id, { embedding: { providerId, model: "not-listed" } });
    expect(unknownModel.status).toBe(400);
    expect((await patch(kb.id, { chunkSize: 500 }, editorCookie)).status).toBe(403);
    expect((await patch(kb.id, { chunkSize: 500 }, strangerCookie)).status).toBe(404);
    expect(await db().knowledgeBase.findUniqueOrThrow({ where: { id: kb.id } })).toMatchObject({ chunkSize: 800, reindex: null });
  });
});

describe("re-uploading a changed file", () => {
  it("replaces the file, re-embeds only the chunks whose text changed, and keeps one copy of each chunk", async () => {
    const kb = await knowledgeBase(150);
    const doc = await addTestDocument(deps, kb.id, "handbook.md", HANDBOOK_MD, { metadata: { department: "HR" } });
    await waitForDocuments([doc.id]);
    const before = await chunksOf(doc.id);
    server.reset();
    const changed = HANDBOOK_MD.replace("25 vacation days", "27 vacation days");
    const put = await documentRoute.PUT(call("PUT", "/", editorCookie, new TextEncoder().encode(changed), { "content-type": "text/markdown" }), ctx({ id: kb.id, documentId: doc.id }));
    expect(put.status).toBe(200);
    const done = (await waitForDocuments([doc.id])).get(doc.id)!;
    expect(done).toMatchObject({ status: "indexed", sizeBytes: Buffer.byteLength(changed), metadata: { department: "HR" } });
    const inputs = server.embeddingRequests().flatMap((r) => r.input as string[]);
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toContain("27 vacation days");
    const after = await chunksOf(doc.id);
    expect(after.map((c) => c.ordinal)).toEqual(before.map((c) => c.ordinal));
    expect(after.filter((c, i) => c.contentHash !== before[i]!.contentHash)).toHaveLength(1);

    expect((await documentRoute.PUT(call("PUT", "/", strangerCookie, new TextEncoder().encode("x")), ctx({ id: kb.id, documentId: doc.id }))).status).toBe(404);
  });
});
