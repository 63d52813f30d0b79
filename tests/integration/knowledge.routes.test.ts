import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as documentRoute from "@/app/api/knowledge-bases/[id]/documents/[documentId]/route";
import * as documentsRoute from "@/app/api/knowledge-bases/[id]/documents/route";
import * as textRoute from "@/app/api/knowledge-bases/[id]/documents/text/route";
import * as queryRoute from "@/app/api/knowledge-bases/[id]/query/route";
import * as kbRoute from "@/app/api/knowledge-bases/[id]/route";
import * as listRoute from "@/app/api/knowledge-bases/route";
import { db } from "@/lib/db/client";
import { createFilesystemStorage } from "@/lib/storage/filesystem";
import { startCountingServer } from "../fixtures/counting-server";
import { HANDBOOK_MD, SECURITY_PDF } from "../fixtures/knowledge-corpus";
import { makePdf } from "../fixtures/knowledge-files";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { waitForDocuments, signUpOwnerViewerStranger } from "./helpers/knowledge";
import { createTestProvider } from "./helpers/providers";
import { call, ctx } from "./helpers/studio-request";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

let server: OpenAiServer;
let worker: WorkerProcess;
let storageDir: string;
let owner: { cookie: string; workspaceId: string };
let viewerCookie: string;
let strangerCookie: string;
let providerId: string;

beforeAll(async () => {
  // The web process and the worker share the storage directory (as they share WEFT_STORAGE_DIR in production).
  storageDir = await mkdtemp(path.join(tmpdir(), "weft-knowledge-"));
  (globalThis as { __weftStorage?: unknown }).__weftStorage = createFilesystemStorage(storageDir);
  server = await startOpenAiServer({ host: "127.0.0.1" });
  worker = await startWorkerProcess({ WEFT_STORAGE_DIR: storageDir });
  ({ owner, viewerCookie, strangerCookie } = await signUpOwnerViewerStranger("KB"));
  providerId = (await createTestProvider(owner.workspaceId, server.url, { models: ["test-embedding", "chat-only"] })).id;
});
afterAll(async () => {
  await worker?.stop();
  await server?.close();
  await rm(storageDir, { recursive: true, force: true });
});

describe("/api/knowledge-bases", () => {
  it("creates a knowledge base (asking the model its vector length), uploads, indexes, queries and deletes", async () => {
    const created = await listRoute.POST(call("POST", "/api/knowledge-bases", owner.cookie, { name: "Handbook", embedding: { providerId, model: "test-embedding" }, chunkSize: 300, chunkOverlap: 30 }), undefined);
    expect(created.status).toBe(201);
    const kb = (await created.json()) as { id: string; dimensions: number };
    expect(kb.dimensions).toBe(256);

    const upload = await documentsRoute.POST(call("POST", `/api/knowledge-bases/${kb.id}/documents?name=security.pdf&metadata=${encodeURIComponent('{"department":"IT"}')}`, owner.cookie, new Uint8Array(makePdf(SECURITY_PDF)), { "content-type": "application/pdf" }), ctx({ id: kb.id }));
    expect(upload.status).toBe(201);
    const pdf = (await upload.json()) as { id: string; status: string; sizeBytes: number; metadata: unknown };
    // The worker may already have started on it.
    expect(pdf).toMatchObject({ status: expect.stringMatching(/^(queued|parsing|chunking|embedding|indexed)$/), metadata: { department: "IT" } });
    expect(pdf.sizeBytes).toBeGreaterThan(300);
    const text = await textRoute.POST(call("POST", `/api/knowledge-bases/${kb.id}/documents/text`, owner.cookie, { name: "Handbook", text: HANDBOOK_MD }), ctx({ id: kb.id }));
    expect(text.status).toBe(201);
    const md = (await text.json()) as { id: string };
    const png = await documentsRoute.POST(call("POST", `/api/knowledge-bases/${kb.id}/documents?name=logo.png`, owner.cookie, new Uint8Array([1, 2, 3]), { "content-type": "image/png" }), ctx({ id: kb.id }));
    expect(await png.json()).toMatchObject({ status: "failed", error: { code: "unsupported" } });

    await waitForDocuments([pdf.id, md.id]);
    const list = (await (await documentsRoute.GET(call("GET", `/api/knowledge-bases/${kb.id}/documents`, viewerCookie), ctx({ id: kb.id }))).json()) as { documents: { id: string; status: string }[] };
    expect(list.documents.map((d) => d.status).sort()).toEqual(["failed", "indexed", "indexed"]);
    const one = await documentRoute.GET(call("GET", "/", viewerCookie), ctx({ id: kb.id, documentId: pdf.id }));
    expect(await one.json()).toMatchObject({ status: "indexed", chunksDone: expect.any(Number) });

    const query = await queryRoute.POST(call("POST", `/api/knowledge-bases/${kb.id}/query`, viewerCookie, { query: "How do I report phishing emails?", topK: 2 }), ctx({ id: kb.id }));
    expect(query.status).toBe(200);
    const result = (await query.json()) as { chunks: { documentName: string; page: number }[]; context: string };
    expect(result.chunks[0]).toMatchObject({ documentName: "security.pdf", page: 2 });
    expect(result.context).toMatch(/^\[1\] security\.pdf, page 2\n/);

    expect((await documentRoute.DELETE(call("DELETE", "/", viewerCookie), ctx({ id: kb.id, documentId: pdf.id }))).status).toBe(403);
    expect((await documentRoute.DELETE(call("DELETE", "/", owner.cookie), ctx({ id: kb.id, documentId: pdf.id }))).status).toBe(204);
    const after = (await (await queryRoute.POST(call("POST", "/", owner.cookie, { query: "phishing Report button", mode: "keyword" }), ctx({ id: kb.id }))).json()) as { chunks: { documentName: string }[] };
    expect(after.chunks.every((c) => c.documentName !== "security.pdf")).toBe(true);

    expect((await kbRoute.DELETE(call("DELETE", "/", owner.cookie), ctx({ id: kb.id }))).status).toBe(204);
    expect(await db().knowledgeDocument.count({ where: { knowledgeBaseId: kb.id } })).toBe(0);
    const audit = await db().auditEvent.findMany({ where: { workspaceId: owner.workspaceId, action: { startsWith: "knowledge" } }, orderBy: { createdAt: "asc" } });
    expect(audit.map((e) => [e.action, e.targetLabel])).toEqual([
      ["knowledge_base.created", "Handbook"],
      ["knowledge_document.added", "security.pdf"],
      ["knowledge_document.added", "Handbook"],
      ["knowledge_document.added", "logo.png"],
      ["knowledge_document.deleted", "security.pdf"],
      ["knowledge_base.deleted", "Handbook"],
    ]);
  });

  it("refuses bad requests clearly: unknown model, duplicate name, viewer creating, stranger reading", async () => {
    const bad = await listRoute.POST(call("POST", "/", owner.cookie, { name: "X", embedding: { providerId, model: "not-listed" } }), undefined);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { message: string } }).error.message).toMatch(/embedding model cannot be used.*not configured/);
    const overlap = await listRoute.POST(call("POST", "/", owner.cookie, { name: "X", embedding: { providerId, model: "test-embedding" }, chunkSize: 200, chunkOverlap: 150 }), undefined);
    expect(overlap.status).toBe(400);
    expect((await listRoute.POST(call("POST", "/", viewerCookie, { name: "V", embedding: { providerId, model: "test-embedding" } }), undefined)).status).toBe(403);
    const first = await listRoute.POST(call("POST", "/", owner.cookie, { name: "Twice", embedding: { providerId, model: "test-embedding" } }), undefined);
    const kb = (await first.json()) as { id: string };
    expect((await listRoute.POST(call("POST", "/", owner.cookie, { name: "Twice", embedding: { providerId, model: "test-embedding" } }), undefined)).status).toBe(409);
    expect((await kbRoute.GET(call("GET", "/", strangerCookie), ctx({ id: kb.id }))).status).toBe(404);
    expect((await queryRoute.POST(call("POST", "/", strangerCookie, { query: "x" }), ctx({ id: kb.id }))).status).toBe(404);
    const noName = await documentsRoute.POST(call("POST", `/api/knowledge-bases/${kb.id}/documents`, owner.cookie, "hello"), ctx({ id: kb.id }));
    expect(noName.status).toBe(400);
    const listed = (await (await listRoute.GET(call("GET", "/", viewerCookie), undefined)).json()) as { knowledgeBases: { name: string }[] };
    expect(listed.knowledgeBases.map((k) => k.name)).toContain("Twice");
  });

  it("adds a document from a JSON body: pasted text, or a URL the worker fetches and parses by its Content-Type", async () => {
    const pages = await startCountingServer();
    try {
      pages.on("/notes", { headers: { "content-type": "text/markdown" }, body: "# Notes\n\nThe cafeteria opens at half past eleven." });
      const created = await listRoute.POST(call("POST", "/", owner.cookie, { name: "From JSON", embedding: { providerId, model: "test-embedding" } }), undefined);
      const kb = (await created.json()) as { id: string };
      const post = (body: unknown) => documentsRoute.POST(call("POST", `/api/knowledge-bases/${kb.id}/documents`, owner.cookie, body), ctx({ id: kb.id }));
      const fromUrl = await post({ url: `${pages.url}/notes`, name: "Cafeteria" });
      expect(fromUrl.status).toBe(201);
      const urlDoc = (await fromUrl.json()) as { id: string };
      const text = (await (await post({ name: "Pasted", text: "Pasted words." })).json()) as { id: string };
      const done = await waitForDocuments([urlDoc.id, text.id]);
      expect(done.get(urlDoc.id)).toMatchObject({ status: "indexed", sourceKind: "url", mimeType: "text/markdown" });
      expect(done.get(text.id)).toMatchObject({ status: "indexed", sourceKind: "text" });
      const bad = await post({ url: "not a url" });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { error: { code: string } }).error.code).toBe("invalid_request");
      expect((await post({ name: "Both", text: "x", url: `${pages.url}/notes` })).status).toBe(400);
    } finally {
      await pages.close();
    }
  });
});
