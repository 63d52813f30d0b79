import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { DocumentDeps } from "@/lib/knowledge/documents";
import { ingestDocument } from "@/lib/knowledge/ingest";
import { createKnowledgePort } from "@/lib/knowledge/port";
import { retrieve } from "@/lib/knowledge/retrieve";
import { createFilesystemStorage } from "@/lib/storage/filesystem";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { addTestDocument, createTestKnowledgeBase } from "./helpers/knowledge";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";

/** Retrieval with a rerank model over the `/rerank` wire of the OpenAI-wire test server. */
let server: OpenAiServer;
let member: Member;
let storageDir: string;
let deps: DocumentDeps;
let kbId: string;
let rerankProviderId: string;

beforeAll(async () => {
  storageDir = await mkdtemp(path.join(tmpdir(), "weft-kb-rerank-"));
  deps = { db: db(), storage: createFilesystemStorage(storageDir), enqueue: async () => undefined };
  server = await startOpenAiServer({ host: "127.0.0.1" });
  member = await createTestMember("owner");
  kbId = (await createTestKnowledgeBase(member.workspaceId, server.url, { chunkSize: 200, chunkOverlap: 0 })).id;
  rerankProviderId = (await createTestProvider(member.workspaceId, server.url, { models: ["test-rerank"] })).id;
  const pages = [
    ["badge.md", "# Badges\n\nCollect your badge at the reception desk on your first day."],
    ["parking.md", "# Parking\n\nVisitors park in the north garage. Your badge opens the garage gate on your first day at the office."],
    ["lunch.md", "# Lunch\n\nThe cafeteria serves lunch from noon."],
  ];
  for (const [name, text] of pages) {
    const doc = await addTestDocument(deps, kbId, name!, text!);
    await ingestDocument(doc.id, { ...deps, embedder: { allowPrivateNetwork: true } });
  }
});
afterAll(async () => {
  await server?.close();
  await rm(storageDir, { recursive: true, force: true });
});

describe("rerank", () => {
  it("sends the retrieved candidates to POST /rerank and returns them in its order with its scores", async () => {
    server.reset();
    const question = "which garage gate does my badge open";
    const result = await retrieve({ db: db(), embedder: { allowPrivateNetwork: true } }, member.workspaceId, {
      knowledgeBaseIds: [kbId],
      query: question,
      topK: 2,
      rerank: { providerId: rerankProviderId, model: "test-rerank" },
    });
    const calls = server.requests.filter((r) => r.path === "/v1/rerank").map((r) => r.body as unknown as { model: string; query: string; documents: string[]; top_n: number });
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ model: "test-rerank", query: question, top_n: 2 });
    expect(calls[0]!.documents.length).toBeGreaterThanOrEqual(2);
    expect(result.chunks.map((c) => c.documentName)).toEqual(["parking.md", "badge.md"]);
    // The test server's score: the share of the question's 7 words in the chunk ("garage", "gate", "badge", "open"… ).
    expect(result.chunks[0]!.score).toBeGreaterThan(result.chunks[1]!.score);
    expect(result.context.startsWith("[1] parking.md")).toBe(true);

    const strict = await retrieve({ db: db(), embedder: { allowPrivateNetwork: true } }, member.workspaceId, {
      knowledgeBaseIds: [kbId],
      query: question,
      topK: 3,
      scoreThreshold: result.chunks[0]!.score,
      rerank: { providerId: rerankProviderId, model: "test-rerank" },
    });
    expect(strict.chunks.map((c) => c.documentName)).toEqual(["parking.md"]);
  });

  it("the run's knowledge port (Knowledge node, Agent tools) applies the rerank model of the node's config", async () => {
    const port = createKnowledgePort({ db: db(), embedder: { allowPrivateNetwork: true } }, member.workspaceId);
    server.reset();
    const result = await port.search({ knowledgeBaseIds: [kbId], query: "which garage gate does my badge open", mode: "keyword", topK: 1, rerank: { providerId: rerankProviderId, model: "test-rerank" }, signal: new AbortController().signal });
    expect(result.chunks.map((c) => c.documentName)).toEqual(["parking.md"]);
    expect(server.requests.filter((r) => r.path === "/v1/rerank")).toHaveLength(1);
  });

  it("speaks TEI's own /rerank ({ query, texts } → [{ index, score }]) once the server asks for `texts`, and remembers it", async () => {
    const teiProviderId = (await createTestProvider(member.workspaceId, server.url.replace(/\/v1$/, "/tei"), { models: ["bge-reranker"] })).id;
    server.reset();
    const ask = () =>
      retrieve({ db: db(), embedder: { allowPrivateNetwork: true } }, member.workspaceId, {
        knowledgeBaseIds: [kbId],
        query: "which garage gate does my badge open",
        topK: 2,
        rerank: { providerId: teiProviderId, model: "bge-reranker" },
      });
    const first = await ask();
    expect(first.chunks.map((c) => c.documentName)).toEqual(["parking.md", "badge.md"]);
    const bodies = server.requests.filter((r) => r.path === "/tei/rerank").map((r) => r.body as unknown as Record<string, unknown>);
    // The common shape first (refused with TEI's plain-text 422), then TEI's.
    expect(bodies).toHaveLength(2);
    expect(bodies[0]).toHaveProperty("documents");
    expect(bodies[1]).toMatchObject({ query: "which garage gate does my badge open" });
    expect(bodies[1]).toHaveProperty("texts");
    server.reset();
    await ask();
    const again = server.requests.filter((r) => r.path === "/tei/rerank").map((r) => r.body as unknown as Record<string, unknown>);
    expect(again).toHaveLength(1);
    expect(again[0]).toHaveProperty("texts");
  });

  it("refuses a rerank model the provider does not list, or another workspace's provider", async () => {
    const input = { knowledgeBaseIds: [kbId], query: "badge" };
    await expect(retrieve({ db: db(), embedder: { allowPrivateNetwork: true } }, member.workspaceId, { ...input, rerank: { providerId: rerankProviderId, model: "unlisted" } })).rejects.toMatchObject({ code: "provider_not_found" });
    const stranger = await createTestMember("owner");
    const theirs = (await createTestProvider(stranger.workspaceId, server.url, { models: ["test-rerank"] })).id;
    await expect(retrieve({ db: db(), embedder: { allowPrivateNetwork: true } }, member.workspaceId, { ...input, rerank: { providerId: theirs, model: "test-rerank" } })).rejects.toMatchObject({ code: "provider_not_found" });
  });
});
