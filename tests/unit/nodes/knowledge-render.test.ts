import { createElement as h } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { StepItem } from "@/components/runs/step-item";
import { KnowledgePanel } from "@/lib/nodes/knowledge/panel";
import { knowledgeNode } from "@/lib/nodes/knowledge/definition";
import { agentNode } from "@/lib/nodes/agent/definition";
import { AgentPanel } from "@/lib/nodes/agent/panel";
import type { RunStepView } from "@/lib/runs/queries";

/** First paint of a Knowledge step on the run page (its chunks with sources) and of the node's panel. */

const KB = "6f1c2a9e-8a55-4c1f-9a53-0d8f3c1b2e7a";
const citation = (n: number, documentName: string, page: number | null, score: number) => ({ citation: n, chunkId: `c${n}`, knowledgeBaseId: KB, documentId: `d${n}`, documentName, page, section: null, score });

const step: RunStepView = {
  id: "s1",
  nodeId: "knowledge",
  nodeType: "knowledge",
  label: null,
  loopId: null,
  iteration: 0,
  status: "succeeded",
  attempt: 1,
  branch: null,
  input: { query: "vacation" },
  output: { context: "[1] handbook.md\n25 days", chunks: [] },
  error: null,
  llm: null,
  rawDetail: { retrieval: { knowledgeBases: [{ id: KB, name: "Handbook" }], mode: "hybrid", topK: 5, scoreThreshold: null, citations: [citation(1, "handbook.md", null, 0.91234), citation(2, "security.pdf", 4, 0.5)] } },
  reusedFromStepId: null,
  promptTokens: 0,
  completionTokens: 0,
  totalTokens: 0,
  cost: null,
  warnings: [],
  startedAt: new Date("2026-12-04T10:00:00Z"),
  finishedAt: new Date("2026-12-04T10:00:01Z"),
  durationMs: 1000,
};

describe("Knowledge retrieval on the run page and in the editor", () => {
  it("lists the retrieved chunks with citation, document, page and score", () => {
    const html = renderToStaticMarkup(h(StepItem, { step, bar: { left: 0, width: 100 }, liveMs: null }));
    expect(html).toContain("Retrieved chunks (hybrid, top 5, Handbook)");
    expect(html.match(/data-testid="citation"/g)).toHaveLength(2);
    expect(html).toContain("handbook.md");
    expect(html).toContain("security.pdf");
    expect(html).toContain("page 4");
    expect(html).toContain("score 0.912");
  });

  it("names the rerank model of a reranked retrieval", () => {
    const rerank = { providerId: KB, model: "jina-reranker-v2", candidates: 20, tokens: 20, cost: { USD: 0.00004 } };
    const reranked = { ...step, rawDetail: { retrieval: { ...(step.rawDetail as { retrieval: object }).retrieval, rerank } } } as RunStepView;
    expect(renderToStaticMarkup(h(StepItem, { step: reranked, bar: { left: 0, width: 100 }, liveMs: null }))).toContain("Retrieved chunks (hybrid, top 5, Handbook, reranked by jina-reranker-v2)");
  });

  it("renders the panel's query, mode, top K, threshold and filter fields", () => {
    const html = renderToStaticMarkup(h(KnowledgePanel, { nodeId: "k", config: knowledgeNode.defaultConfig(), onChange: () => undefined, fields: [], problems: [] }));
    for (const text of ["Knowledge bases to search", "Loading knowledge bases", "Query", "Hybrid (vector + keyword)", "Top K", "Score threshold", "Rerank the results", "Metadata filter"]) expect(html).toContain(text);
    const reranking = renderToStaticMarkup(h(KnowledgePanel, { nodeId: "k", config: { ...knowledgeNode.defaultConfig(), rerank: { providerId: "", model: "" } }, onChange: () => undefined, fields: [], problems: [] }));
    expect(reranking).toContain('id="k-rerank-provider"');
    // An imported workflow's base that this workspace lacks: named, with a way to dismiss it once a base is picked.
    const imported = renderToStaticMarkup(h(KnowledgePanel, { nodeId: "k", config: { ...knowledgeNode.defaultConfig(), unresolvedKnowledgeBases: ["Price list"] }, onChange: () => undefined, fields: [], problems: [] }));
    expect(imported).toContain('data-testid="unresolved-knowledge-base"');
    expect(imported).toContain("Price list");
  });

  it("shows an imported rerank setting's missing provider, and the Agent's rerank field once it has knowledge bases", () => {
    const imported = renderToStaticMarkup(
      h(KnowledgePanel, { nodeId: "k", config: { ...knowledgeNode.defaultConfig(), rerank: { providerId: "", model: "rerank-v1", unresolvedProvider: "Cohere" } }, onChange: () => undefined, fields: [], problems: [] }),
    );
    expect(imported).toContain('data-testid="unresolved-rerank-provider"');
    expect(imported).toContain("Cohere");
    const agent = (knowledgeBases: string[]) =>
      renderToStaticMarkup(h(AgentPanel, { nodeId: "a", config: { ...agentNode.defaultConfig(), knowledgeBases, knowledgeRerank: { providerId: "", model: "" } }, onChange: () => undefined, fields: [], problems: [] }));
    expect(agent([KB])).toContain('id="a-knowledge-rerank-provider"');
    expect(agent([])).not.toContain("Rerank the results");
  });
});
