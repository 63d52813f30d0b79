import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { deleteDocument, type DocumentDeps } from "@/lib/knowledge/documents";
import { ingestDocument } from "@/lib/knowledge/ingest";
import { createFilesystemStorage } from "@/lib/storage/filesystem";
import { CHINESE_TXT, HANDBOOK_MD, ONBOARDING_HTML, PRICES_CSV, SECURITY_PDF, TRAVEL_DOCX } from "../fixtures/knowledge-corpus";
import { makeDocx, makePdf } from "../fixtures/knowledge-files";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { addTestDocument, chunksOf, createTestKnowledgeBase, waitForDocuments } from "./helpers/knowledge";
import { createTestMember } from "./helpers/members";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

let server: OpenAiServer;
let owner: Member;
let worker: WorkerProcess;
let storageDir: string;
let deps: DocumentDeps;

beforeAll(async () => {
  storageDir = await mkdtemp(path.join(tmpdir(), "weft-knowledge-"));
  deps = { db: db(), storage: createFilesystemStorage(storageDir) };
  server = await startOpenAiServer({ host: "127.0.0.1" });
  owner = await createTestMember();
  worker = await startWorkerProcess({ WEFT_STORAGE_DIR: storageDir, WEFT_EMBEDDING_BATCH_SIZE: "4" });
});
afterAll(async () => {
  await worker?.stop();
  await server?.close();
  await rm(storageDir, { recursive: true, force: true });
});

describe("knowledge ingestion in the worker process", () => {
  it("indexes Markdown, CSV, HTML, DOCX, PDF and Chinese text, with pages, sections, embeddings and usage", async () => {
    const kb = await createTestKnowledgeBase(owner.workspaceId, server.url, { chunkSize: 200, chunkOverlap: 20 });
    const docs = await Promise.all([
      addTestDocument(deps, kb.id, "handbook.md", HANDBOOK_MD),
      addTestDocument(deps, kb.id, "prices.csv", PRICES_CSV, { mimeType: "text/csv" }),
      addTestDocument(deps, kb.id, "onboarding.html", ONBOARDING_HTML, { mimeType: "text/html" }),
      addTestDocument(deps, kb.id, "travel.docx", await makeDocx(TRAVEL_DOCX)),
      addTestDocument(deps, kb.id, "security.pdf", makePdf(SECURITY_PDF), { mimeType: "application/pdf" }),
      addTestDocument(deps, kb.id, "差旅制度.txt", CHINESE_TXT, { mimeType: "text/plain" }),
    ]);
    const done = await waitForDocuments(docs.map((d) => d.id));
    const [md, csv, html, docx, pdf, zh] = docs.map((d) => done.get(d.id)!);
    for (const doc of [md, csv, html, docx, pdf, zh]) {
      expect(doc, `${doc!.name}: ${JSON.stringify(doc!.error)}`).toMatchObject({ status: "indexed", error: null, indexGeneration: 1 });
      const chunks = await chunksOf(doc!.id);
      expect(chunks.length).toBe(doc!.chunksTotal);
      expect(doc!.chunksDone).toBe(doc!.chunksTotal);
      expect(chunks.every((c) => c.hasEmbedding && c.generation === 1)).toBe(true);
      expect(doc!.embeddingTokens).toBeGreaterThan(0);
    }
    const mdChunks = await chunksOf(md!.id);
    expect(mdChunks.find((c) => c.text.includes("25 vacation days"))?.section).toBe("Employee handbook › Leave › Vacation");
    expect((await chunksOf(csv!.id)).map((c) => c.text).join("\n")).toContain("product: Standing desk\nprice: 499\nwarranty: 5 years");
    const htmlText = (await chunksOf(html!.id)).map((c) => c.text).join("\n");
    expect(htmlText).toContain("collect your badge");
    expect(htmlText).not.toContain("Open positions");
    expect((await chunksOf(docx!.id)).find((c) => c.text.includes("150 euros"))?.section).toMatch(/^(Travel policy|Hotels)$/);
    const pdfChunks = await chunksOf(pdf!.id);
    expect(pdfChunks.find((c) => c.text.includes("14 characters"))?.page).toBe(1);
    expect(pdfChunks.find((c) => c.text.includes("Report button"))?.page).toBe(2);
    expect((await chunksOf(zh!.id)).map((c) => c.text).join("")).toContain("每晚不超过六百元");
    // Batches of 4 texts (WEFT_EMBEDDING_BATCH_SIZE in the worker).
    expect(server.embeddingRequests().every((r) => Array.isArray(r.input) && r.input.length <= 4 && r.dimensions === undefined)).toBe(true);
  });

  it("fails bad documents one by one with clear errors while the good one is indexed", async () => {
    const kb = await createTestKnowledgeBase(owner.workspaceId, server.url);
    const docs = await Promise.all([
      addTestDocument(deps, kb.id, "empty.txt", ""),
      addTestDocument(deps, kb.id, "photo.png", Buffer.from([0x89, 0x50, 0x4e, 0x47]), { mimeType: "image/png" }),
      addTestDocument(deps, kb.id, "broken.pdf", "%PDF-1.7 garbage", { mimeType: "application/pdf" }),
      addTestDocument(deps, kb.id, "scan.pdf", makePdf([[]]), { mimeType: "application/pdf" }),
      addTestDocument(deps, kb.id, "fine.md", "# Fine\n\nThis one is fine."),
    ]);
    const done = await waitForDocuments(docs.map((d) => d.id));
    const [empty, png, broken, scan, fine] = docs.map((d) => done.get(d.id)!);
    expect(empty).toMatchObject({ status: "failed", error: { code: "empty", message: "The document is empty." } });
    expect(png).toMatchObject({ status: "failed", error: { code: "unsupported", message: expect.stringContaining("not a supported document type") } });
    expect(broken).toMatchObject({ status: "failed", error: { code: "corrupt", message: expect.stringContaining("The PDF could not be read") } });
    expect(scan).toMatchObject({ status: "failed", error: { code: "empty", message: expect.stringContaining("no text") } });
    expect(fine).toMatchObject({ status: "indexed" });
    expect(await chunksOf(broken!.id)).toEqual([]);
  });

  it("re-ingesting ends with exactly one copy of each chunk and re-embeds only changed chunks", async () => {
    const kb = await createTestKnowledgeBase(owner.workspaceId, server.url, { chunkSize: 150, chunkOverlap: 0 });
    const doc = await addTestDocument(deps, kb.id, "handbook.md", HANDBOOK_MD);
    await waitForDocuments([doc.id]);
    const first = await chunksOf(doc.id);
    server.reset();
    // In-process, twice at once and once more: the swap serialises them.
    const local = { ...deps, embedder: { allowPrivateNetwork: true } };
    await Promise.all([ingestDocument(doc.id, local), ingestDocument(doc.id, local)]);
    await ingestDocument(doc.id, local);
    const again = await chunksOf(doc.id);
    expect(again.map((c) => [c.ordinal, c.contentHash])).toEqual(first.map((c) => [c.ordinal, c.contentHash]));
    expect(server.embeddingRequests()).toEqual([]);

    // A changed file: only the new chunk's text is sent to the model.
    await deps.storage.put(doc.storageKey!, [Buffer.from(`${HANDBOOK_MD}\n## Parking\nParking spaces are assigned by the facilities team.\n`)]);
    await ingestDocument(doc.id, local);
    const inputs = server.embeddingRequests().flatMap((r) => r.input as string[]);
    expect(inputs).toHaveLength(1);
    expect(inputs[0]).toMatch(/^## Parking\sParking spaces are assigned by the facilities team\.$/);
    expect((await chunksOf(doc.id)).length).toBe(first.length + 1);
  });

  it("an interrupted ingestion leaves the previous chunks untouched and nothing half-written", async () => {
    const kb = await createTestKnowledgeBase(owner.workspaceId, server.url, { chunkSize: 120, chunkOverlap: 0 });
    const doc = await addTestDocument(deps, kb.id, "handbook.md", HANDBOOK_MD);
    await waitForDocuments([doc.id]);
    const before = await chunksOf(doc.id);
    await deps.storage.put(doc.storageKey!, [Buffer.from(HANDBOOK_MD.replaceAll("employee", "staff member"))]);
    const stop = new AbortController();
    const interrupted = ingestDocument(doc.id, {
      ...deps,
      signal: stop.signal,
      embedder: { allowPrivateNetwork: true, batchSize: 1, fetch: async (input, init) => (stop.abort(new Error("killed")), fetch(input, init)) },
    });
    await expect(interrupted).rejects.toThrow();
    expect(await chunksOf(doc.id)).toEqual(before);
    await ingestDocument(doc.id, { ...deps, embedder: { allowPrivateNetwork: true } });
    const after = await chunksOf(doc.id);
    expect(after.some((c) => c.text.includes("staff member"))).toBe(true);
    expect(new Set(after.map((c) => c.ordinal)).size).toBe(after.length);
  });

  it("a worker killed mid-document: another worker indexes it, with exactly one copy of each chunk", async () => {
    // Only the doomed worker may take the document.
    await worker.stop();
    const kb = await createTestKnowledgeBase(owner.workspaceId, server.url, { chunkSize: 120, chunkOverlap: 0 });
    server.reset();
    server.setEmbeddingDelay(300);
    const fast = { WEFT_STORAGE_DIR: storageDir, WEFT_EMBEDDING_BATCH_SIZE: "1", WEFT_KNOWLEDGE_LOCK_MS: "1000" };
    const doomed = await startWorkerProcess(fast);
    const doc = await addTestDocument(deps, kb.id, "handbook.md", HANDBOOK_MD);
    for (let row = await db().knowledgeDocument.findUniqueOrThrow({ where: { id: doc.id } }); row.chunksDone < 2; row = await db().knowledgeDocument.findUniqueOrThrow({ where: { id: doc.id } })) {
      expect(row.status).not.toBe("indexed");
      await new Promise((r) => setTimeout(r, 20));
    }
    await doomed.stop("SIGKILL");
    // Killed mid-embedding: nothing of the document is visible.
    expect(await chunksOf(doc.id)).toEqual([]);
    server.setEmbeddingDelay(0);
    worker = await startWorkerProcess(fast);
    const done = (await waitForDocuments([doc.id], 30_000)).get(doc.id)!;
    expect(done.status).toBe("indexed");
    const chunks = await chunksOf(doc.id);
    expect(chunks.length).toBe(done.chunksTotal);
    expect(chunks.map((c) => c.ordinal)).toEqual(chunks.map((_, i) => i));
    expect(new Set(chunks.map((c) => c.text)).size).toBe(chunks.length);
    expect(chunks.every((c) => c.hasEmbedding)).toBe(true);
  });

  it("deleting a document removes its chunks at once and its file", async () => {
    const kb = await createTestKnowledgeBase(owner.workspaceId, server.url);
    const doc = await addTestDocument(deps, kb.id, "notes.txt", "Short notes about the cafeteria menu.");
    await waitForDocuments([doc.id]);
    expect((await chunksOf(doc.id)).length).toBe(1);
    await deleteDocument(deps, doc.id);
    expect(await chunksOf(doc.id)).toEqual([]);
    await expect(deps.storage.get(doc.storageKey!)).rejects.toThrow(/No stored file/);
  });
});
