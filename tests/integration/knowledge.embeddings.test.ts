import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { NodeError } from "@/lib/engine/errors";
import { createEmbedder } from "@/lib/knowledge/embeddings";
import { db } from "@/lib/db/client";
import { lexicalEmbedding } from "../fixtures/lexical-embeddings";
import { startOllamaServer } from "../fixtures/ollama-server";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";

let server: OpenAiServer;
let owner: Member;
let providerId: string;

beforeAll(async () => {
  server = await startOpenAiServer({ host: "127.0.0.1" });
  owner = await createTestMember();
  const provider = await createTestProvider(owner.workspaceId, server.url, { models: ["test-embedding"] });
  await db().modelProvider.update({ where: { id: provider.id }, data: { modelInfo: { "test-embedding": { inputPrice: 0.02, currency: "USD" } } } });
  providerId = provider.id;
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => server.reset());

describe("embeddings through the provider registry", () => {
  it("embeds in batches through OpenAIEmbeddings, with the provider's vectors, usage and cost", async () => {
    const embedder = await createEmbedder({ providerId, model: "test-embedding", dimensions: 64, requestDimensions: 64 }, { db: db(), workspaceId: owner.workspaceId, batchSize: 2 });
    const texts = ["alpha beta", "gamma delta epsilon", "zeta", "eta theta"];
    const progress: number[] = [];
    const result = await embedder.embed(texts, { onBatch: (done) => void progress.push(done) });
    expect(result.vectors).toHaveLength(4);
    expect(result.vectors[1]![0]).toBeCloseTo(lexicalEmbedding(texts[1]!, 64)[0]!, 6);
    expect(result.vectors.every((v) => v.length === 64)).toBe(true);
    expect(progress).toEqual([2, 4]);
    expect(server.embeddingRequests().map((r) => [r.input, r.dimensions])).toEqual([
      [["alpha beta", "gamma delta epsilon"], 64],
      [["zeta", "eta theta"], 64],
    ]);
    expect(server.requests[0]!.headers.authorization).toBe("Bearer sk-test-key-1234");
    expect(result.tokens).toBe(8);
    expect(result.cost).toEqual({ USD: (8 * 0.02) / 1_000_000 });
  });

  it("retries a 429 (honouring Retry-After) and a 503, then succeeds", async () => {
    server.failEmbeddings({ status: 429, message: "Slow down", retryAfter: 0 }, { status: 503, message: "Overloaded" });
    const embedder = await createEmbedder({ providerId, model: "test-embedding" }, { db: db(), workspaceId: owner.workspaceId, backoffMs: 10 });
    const result = await embedder.embed(["one text"]);
    expect(result.vectors[0]).toHaveLength(256);
    expect(server.embeddingRequests()).toHaveLength(3);
  });

  it("gives up after the attempts with the provider's words, and never retries a 400", async () => {
    server.failEmbeddings(...Array.from({ length: 3 }, () => ({ status: 500, message: "Boom" })));
    const embedder = await createEmbedder({ providerId, model: "test-embedding" }, { db: db(), workspaceId: owner.workspaceId, attempts: 3, backoffMs: 1 });
    await expect(embedder.embed(["x"])).rejects.toMatchObject({ code: "provider_unavailable", message: expect.stringContaining("Boom") });
    server.reset();
    server.failEmbeddings({ status: 400, message: "Input too long" });
    await expect(embedder.embed(["x"])).rejects.toMatchObject({ code: "provider_bad_request" });
    expect(server.embeddingRequests()).toHaveLength(1);
  });

  it("refuses vectors of the wrong length and a model the provider does not list", async () => {
    const embedder = await createEmbedder({ providerId, model: "test-embedding", dimensions: 32 }, { db: db(), workspaceId: owner.workspaceId });
    await expect(embedder.embed(["fine"])).rejects.toMatchObject({ code: "output_invalid", message: expect.stringContaining("returned 256-dimensional vectors; this knowledge base expects 32") });
    const other = await createEmbedder({ providerId, model: "test-embedding" }, { db: db(), workspaceId: owner.workspaceId });
    expect((await other.embed(["fine"])).vectors[0]).toHaveLength(256);
    await expect(createEmbedder({ providerId, model: "unknown" }, { db: db(), workspaceId: owner.workspaceId })).rejects.toBeInstanceOf(NodeError);
  });

  it("embeds through Ollama's native /api/embed with OllamaEmbeddings", async () => {
    const ollama = await startOllamaServer({ host: "127.0.0.1", models: ["nomic-embed-text"] });
    try {
      const row = await db().modelProvider.create({
        data: { workspaceId: owner.workspaceId, name: `Ollama ${Math.random()}`, kind: "ollama", preset: "ollama_native", baseUrl: ollama.url, models: ["nomic-embed-text"] },
      });
      const embedder = await createEmbedder({ providerId: row.id, model: "nomic-embed-text", dimensions: 256 }, { db: db(), workspaceId: owner.workspaceId, batchSize: 2 });
      const result = await embedder.embed(["first text", "second text here", "third"]);
      expect(result.vectors.map((v) => v.length)).toEqual([256, 256, 256]);
      expect(result.vectors[2]![5]).toBeCloseTo(lexicalEmbedding("third")[5]!, 6);
      expect(result.tokens).toBe(6);
      expect(ollama.requests.filter((r) => r.path === "/api/embed")).toHaveLength(2);
    } finally {
      await ollama.close();
    }
  });

  it("cannot use another workspace's provider", async () => {
    const stranger = await createTestMember();
    await expect(createEmbedder({ providerId, model: "test-embedding" }, { db: db(), workspaceId: stranger.workspaceId })).rejects.toMatchObject({ code: "provider_not_found" });
  });
});
