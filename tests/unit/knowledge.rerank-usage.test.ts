import { describe, expect, it } from "vitest";
import { parseRerankReply, rerankUsageOf } from "@/lib/knowledge/rerank";

/**
 * The `/rerank` replies of the providers as they arrive on the wire, and the tokens each call
 * counts: reported where the reply says, estimated from the texts' length where it says nothing
 * (so a run's usage and cost are not silently zero).
 */

const QUERY = "which garage gate does my badge open"; // 36 characters
const DOCUMENTS = ["Staff badges open the garage gate.", "The cafeteria serves lunch from noon."]; // 34 and 37 characters
const ESTIMATE = Math.ceil((36 + 34 + 36 + 37) / 4);

const WIRE = {
  jina: { model: "jina-reranker-v2-base-multilingual", usage: { total_tokens: 57 }, results: [{ index: 0, relevance_score: 0.91, document: { text: DOCUMENTS[0] } }, { index: 1, relevance_score: 0.02, document: { text: DOCUMENTS[1] } }] },
  vllm: { id: "rerank-1", model: "BAAI/bge-reranker-v2-m3", usage: { total_tokens: 61 }, results: [{ index: 0, document: { text: DOCUMENTS[0] }, relevance_score: 0.97 }, { index: 1, document: { text: DOCUMENTS[1] }, relevance_score: 0.01 }] },
  cohereV1: { id: "5c1b…", results: [{ index: 0, relevance_score: 0.88 }, { index: 1, relevance_score: 0.03 }], meta: { api_version: { version: "1" }, billed_units: { search_units: 1 } } },
  cohereV2Tokens: {
    id: "07734bd2",
    results: [{ index: 0, relevance_score: 0.88 }, { index: 1, relevance_score: 0.03 }],
    meta: { api_version: { version: "2" }, billed_units: { search_units: 1 }, tokens: { input_tokens: 48, output_tokens: 0 } },
  },
  tei: [{ index: 0, score: 0.9982 }, { index: 1, score: 0.0004 }],
} as const;

const usageOf = (body: unknown) => {
  const reply = parseRerankReply(body);
  expect(reply).not.toBeNull();
  return { ranking: reply!.results.map((r) => [r.index, r.relevance_score]), usage: rerankUsageOf(reply!, QUERY, DOCUMENTS) };
};

describe("rerank replies and their usage", () => {
  it("takes the reported usage.total_tokens (Jina, vLLM)", () => {
    expect(usageOf(WIRE.jina)).toEqual({ ranking: [[0, 0.91], [1, 0.02]], usage: { tokens: 57 } });
    expect(usageOf(WIRE.vllm).usage).toEqual({ tokens: 61 });
  });

  it("takes Cohere's meta.tokens when the reply has them, with its search units", () => {
    expect(usageOf(WIRE.cohereV2Tokens).usage).toEqual({ tokens: 48, searchUnits: 1 });
  });

  it("estimates the tokens from the texts when Cohere reports search units only", () => {
    expect(usageOf(WIRE.cohereV1)).toEqual({ ranking: [[0, 0.88], [1, 0.03]], usage: { tokens: ESTIMATE, estimated: true, searchUnits: 1 } });
  });

  it("reads TEI's bare array of { index, score } and estimates its tokens", () => {
    expect(usageOf(WIRE.tei)).toEqual({ ranking: [[0, 0.9982], [1, 0.0004]], usage: { tokens: ESTIMATE, estimated: true } });
  });

  it("refuses a reply of no known shape", () => {
    expect(parseRerankReply({ data: [{ index: 0, score: 1 }] })).toBeNull();
    expect(parseRerankReply(null)).toBeNull();
  });
});
