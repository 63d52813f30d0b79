import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { WeftApiError, type ApiKnowledgeBase } from "@/lib/client/weft-client";
import { db } from "@/lib/db/client";
import { createFilesystemStorage } from "@/lib/storage/filesystem";
import { HANDBOOK_MD } from "../fixtures/knowledge-corpus";
import { startCountingServer, type CountingServer } from "../fixtures/counting-server";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { clientFor, createKey } from "./helpers/api-v1";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * The public knowledge API with API keys, against a real worker. The worker runs with private
 * networks closed (WEFT_ALLOW_PRIVATE_NETWORK=false), so URL documents reach only what the
 * workspace's allow-list opens: the embedding server and the page server, by port.
 */
let openai: OpenAiServer;
let pages: CountingServer;
let worker: WorkerProcess;
let storageDir: string;
let developer: Member;
let stranger: Member;
let providerId: string;
let kb: ApiKnowledgeBase;
let writeKey: string;

beforeAll(async () => {
  storageDir = await mkdtemp(path.join(tmpdir(), "weft-kb-api-"));
  (globalThis as { __weftStorage?: unknown }).__weftStorage = createFilesystemStorage(storageDir);
  openai = await startOpenAiServer({ host: "127.0.0.1" });
  pages = await startCountingServer();
  worker = await startWorkerProcess({ WEFT_STORAGE_DIR: storageDir, WEFT_ALLOW_PRIVATE_NETWORK: "false" });
  developer = await createTestMember("developer");
  stranger = await createTestMember("owner");
  await db().workspace.update({ where: { id: developer.workspaceId }, data: { networkAllowList: [`127.0.0.1:${openai.port}`, `127.0.0.1:${pages.port}`] } });
  providerId = (await createTestProvider(developer.workspaceId, openai.url, { models: ["test-embedding"] })).id;
  writeKey = (await createKey(developer, ["knowledge:read", "knowledge:write"])).secret;
  kb = await clientFor(writeKey).createKnowledgeBase({ name: "API handbook", embedding: { providerId, model: "test-embedding" }, chunkSize: 300, chunkOverlap: 30 });
});
afterAll(async () => {
  await worker?.stop();
  await openai?.close();
  await pages?.close();
  await rm(storageDir, { recursive: true, force: true });
});

describe("/api/v1/knowledge-bases with an API key", () => {
  it("creates a knowledge base, uploads a document, waits until indexed, queries it with citations and deletes it", async () => {
    const client = clientFor(writeKey);
    expect(kb).toMatchObject({ name: "API handbook", dimensions: 256, _count: { documents: 0 } });
    expect((await client.listKnowledgeBases()).map((k) => k.id)).toContain(kb.id);
    expect(await client.getKnowledgeBase(kb.id)).toMatchObject({ id: kb.id, chunkSize: 300 });

    const uploaded = await client.uploadDocument(kb.id, new TextEncoder().encode(HANDBOOK_MD), { name: "handbook.md", contentType: "text/markdown", metadata: { department: "HR" } });
    expect(uploaded).toMatchObject({ name: "handbook.md", sourceKind: "file", metadata: { department: "HR" } });
    const pasted = await client.addTextDocument(kb.id, { name: "Parking", text: "Visitors park in the north garage, level two, with a badge from reception." });
    const indexed = await client.waitForDocument(kb.id, uploaded.id, { intervalMs: 100, timeoutMs: 60_000 });
    expect(indexed).toMatchObject({ status: "indexed", error: null });
    expect(indexed.chunksTotal).toBeGreaterThan(1);
    expect(indexed.chunksDone).toBe(indexed.chunksTotal);
    expect((await client.waitForDocument(kb.id, pasted.id, { intervalMs: 100 })).status).toBe("indexed");
    expect((await client.listDocuments(kb.id)).map((d) => d.id).sort()).toEqual([uploaded.id, pasted.id].sort());

    const result = await client.queryKnowledgeBase(kb.id, { query: "Where do visitors park?", mode: "keyword", topK: 3 });
    expect(result.chunks[0]).toMatchObject({ documentId: pasted.id, documentName: "Parking", citation: 1 });
    expect(result.context).toContain("[1]");
    const filtered = await client.queryKnowledgeBase(kb.id, { query: "vacation days", mode: "hybrid", filter: { department: "HR" } });
    expect(filtered.chunks.length).toBeGreaterThan(0);
    expect(new Set(filtered.chunks.map((c) => c.documentId))).toEqual(new Set([uploaded.id]));

    await client.deleteDocument(kb.id, pasted.id);
    await expect(client.getDocument(kb.id, pasted.id)).rejects.toMatchObject({ status: 404 });
    const after = await client.queryKnowledgeBase(kb.id, { query: "Where do visitors park?", mode: "keyword" });
    expect(after.chunks.map((c) => c.documentId)).not.toContain(pasted.id);
  });

  it("answers a bad query body with the API's error shape", async () => {
    const failure = await clientFor(writeKey).queryKnowledgeBase(kb.id, { query: "", topK: 500 } as never).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(WeftApiError);
    const body = (failure as WeftApiError).body as { error: { code: string; issues: { path: string }[] } };
    expect((failure as WeftApiError).status).toBe(400);
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.issues.map((i) => i.path).sort()).toEqual(["query", "topK"]);
  });

  it("refuses what the key's scopes or its creator's role do not allow, and hides other workspaces' knowledge bases", async () => {
    const reader = clientFor((await createKey(developer, ["knowledge:read"])).secret);
    expect((await reader.listKnowledgeBases()).map((k) => k.id)).toContain(kb.id);
    const refused = await reader.addTextDocument(kb.id, { name: "Nope", text: "no" }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ status: 403, code: "forbidden" });
    expect((refused as Error).message).toContain("knowledge:write");

    // The lesser of scope and role: a creator demoted to editor keeps adding documents but cannot create knowledge bases.
    const creator = await createTestMember("developer");
    const demotedKey = clientFor((await createKey(creator, ["knowledge:write", "knowledge:read"])).secret);
    const own = await demotedKey.createKnowledgeBase({ name: "Demoted", embedding: { providerId: (await createTestProvider(creator.workspaceId, openai.url, { models: ["test-embedding"] })).id, model: "test-embedding" } });
    await db().membership.updateMany({ where: { userId: creator.userId, workspaceId: creator.workspaceId }, data: { role: "editor" } });
    expect(await demotedKey.addTextDocument(own.id, { name: "Still allowed", text: "Editors add documents." })).toMatchObject({ name: "Still allowed" });
    const noCreate = await demotedKey.createKnowledgeBase({ name: "Second", embedding: { providerId, model: "test-embedding" } }).catch((e: unknown) => e);
    expect(noCreate).toMatchObject({ status: 403, code: "forbidden" });

    const strangerKey = clientFor((await createKey(stranger, ["knowledge:read", "knowledge:write"])).secret);
    await expect(strangerKey.getKnowledgeBase(kb.id)).rejects.toMatchObject({ status: 404, code: "not_found" });
    await expect(strangerKey.listDocuments(kb.id)).rejects.toMatchObject({ status: 404 });
    await expect(strangerKey.queryKnowledgeBase(kb.id, { query: "parking" })).rejects.toMatchObject({ status: 404 });
    await expect(strangerKey.addTextDocument(kb.id, { name: "Mine", text: "mine" })).rejects.toMatchObject({ status: 404 });
    expect(await db().knowledgeDocument.count({ where: { knowledgeBaseId: kb.id, name: { in: ["Nope", "Mine"] } } })).toBe(0);
  });
});

describe("PATCH and DELETE /api/v1/knowledge-bases/{id}", () => {
  it("renames, re-indexes with new chunk settings (reindex shown until the switch) and deletes a knowledge base", async () => {
    const client = clientFor(writeKey);
    const own = await client.createKnowledgeBase({ name: "To change", embedding: { providerId, model: "test-embedding" }, chunkSize: 400, chunkOverlap: 0 });
    const doc = await client.addTextDocument(own.id, { name: "Handbook", text: HANDBOOK_MD });
    await client.waitForDocument(own.id, doc.id, { intervalMs: 100, timeoutMs: 60_000 });

    expect(await client.updateKnowledgeBase(own.id, { name: "Changed", description: "New words" })).toMatchObject({ name: "Changed", description: "New words", indexGeneration: 1, reindex: null });
    const started = await client.updateKnowledgeBase(own.id, { chunkSize: 200, splitter: "markdown" });
    expect(started).toMatchObject({ chunkSize: 400, indexGeneration: 1, reindex: { generation: 2, chunkSize: 200, splitter: "markdown", embeddingModel: "test-embedding" } });
    const deadline = Date.now() + 60_000;
    let current = started;
    while (current.reindex && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      current = await client.getKnowledgeBase(own.id);
    }
    expect(current).toMatchObject({ chunkSize: 200, splitter: "markdown", indexGeneration: 2, reindex: null });
    expect((await client.queryKnowledgeBase(own.id, { query: "vacation days", mode: "keyword" })).chunks.length).toBeGreaterThan(0);

    const bad = await client.updateKnowledgeBase(own.id, { chunkSize: 5 }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ status: 400, code: "invalid_request" });
    const reader = clientFor((await createKey(developer, ["knowledge:read"])).secret);
    await expect(reader.updateKnowledgeBase(own.id, { name: "Nope" })).rejects.toMatchObject({ status: 403 });
    await expect(reader.deleteKnowledgeBase(own.id)).rejects.toMatchObject({ status: 403 });
    const strangerKey = clientFor((await createKey(stranger, ["knowledge:read", "knowledge:write"])).secret);
    await expect(strangerKey.updateKnowledgeBase(own.id, { name: "Mine" })).rejects.toMatchObject({ status: 404 });
    await expect(strangerKey.deleteKnowledgeBase(own.id)).rejects.toMatchObject({ status: 404 });

    await client.deleteKnowledgeBase(own.id);
    await expect(client.getKnowledgeBase(own.id)).rejects.toMatchObject({ status: 404 });
    expect(await db().knowledgeChunk.count({ where: { knowledgeBaseId: own.id } })).toBe(0);
  });
});

describe("URL documents", () => {
  it("fetches a page on the workspace's allow-list through the worker, parses its HTML and indexes it", async () => {
    pages.on("/guide/onboarding", {
      headers: { "content-type": "text/html; charset=utf-8" },
      body: "<html><head><title>Onboarding</title></head><body><article><h1>Onboarding</h1><p>New hires collect their laptop from the service desk on the third floor on their first morning.</p></article></body></html>",
    });
    const client = clientFor(writeKey);
    const added = await client.addUrlDocument(kb.id, { url: `${pages.url}/guide/onboarding`, metadata: { source: "intranet" } });
    expect(added).toMatchObject({ sourceKind: "url", sourceUrl: `${pages.url}/guide/onboarding`, name: `127.0.0.1:${pages.port}/guide/onboarding`, status: expect.stringMatching(/^(queued|parsing|chunking|embedding|indexed)$/) });
    const done = await client.waitForDocument(kb.id, added.id, { intervalMs: 100 });
    expect(done).toMatchObject({ status: "indexed", mimeType: "text/html", error: null });
    expect(done.sizeBytes).toBeGreaterThan(100);
    expect(pages.count("/guide/onboarding")).toBe(1);
    const result = await client.queryKnowledgeBase(kb.id, { query: "laptop service desk", mode: "keyword", topK: 1 });
    expect(result.chunks[0]).toMatchObject({ documentId: added.id });
    expect(result.chunks[0]!.text).toContain("third floor");
    expect(result.chunks[0]!.text).not.toContain("<p>");
  });

  it("fails a URL to a private address outside the allow-list with the SSRF reason, and one whose server answers an error", async () => {
    const client = clientFor(writeKey);
    pages.on("/missing", { status: 404, body: "no" });
    const closed = await client.addUrlDocument(kb.id, { url: "http://10.1.2.3/wiki", name: "Internal wiki" });
    const failedPage = await client.addUrlDocument(kb.id, { url: `${pages.url}/missing`, name: "Missing" });
    const blocked = await client.waitForDocument(kb.id, closed.id, { intervalMs: 100 });
    expect(blocked).toMatchObject({ status: "failed", error: { code: "network_blocked" } });
    expect(blocked.error!.message).toMatch(/private network address/);
    expect(await client.waitForDocument(kb.id, failedPage.id, { intervalMs: 100 })).toMatchObject({ status: "failed", error: { code: "http_error", message: expect.stringContaining("404") } });
    // A redirect is checked again: the allow-listed server sends the worker to a port that is not on the list (not a fetch "bad port").
    pages.on("/moved", { redirect: "http://127.0.0.1:65001/secret" });
    const redirected = await client.addUrlDocument(kb.id, { url: `${pages.url}/moved`, name: "Moved" });
    const afterRedirect = await client.waitForDocument(kb.id, redirected.id, { intervalMs: 100 });
    expect(afterRedirect).toMatchObject({ status: "failed", error: { code: "network_blocked" } });
    expect(afterRedirect.error!.message).toMatch(/after a redirect/);
    const invalid = await client.addUrlDocument(kb.id, { url: "ftp://example.com/file" }).catch((e: unknown) => e);
    expect(invalid).toMatchObject({ status: 400, code: "invalid_request" });
  });
});
