import { describe, expect, it } from "vitest";
import type { KnowledgePort, KnowledgeSearch } from "@/lib/engine/ports";
import { nodeSummary } from "@/lib/editor/summary";
import { validateGraph } from "@/lib/engine/validate";
import { AgentConfigSchema, agentNode } from "@/lib/nodes/agent/definition";
import { knowledgeToolName, knowledgeToolNames, knowledgeTools } from "@/lib/nodes/agent/knowledge-tools";
import { KnowledgeConfigSchema, knowledgeNode } from "@/lib/nodes/knowledge/definition";
import { executeKnowledge } from "@/lib/nodes/knowledge/execute";
import { nodeContext } from "./context";
import { nodeRegistry } from "@/lib/nodes/registry";

const KB = "6f1c2a9e-8a55-4c1f-9a53-0d8f3c1b2e7a";
const KB2 = "0b6d1a2c-3e4f-4a5b-8c6d-7e8f9a0b1c2d";
const config = (patch: Record<string, unknown> = {}) => KnowledgeConfigSchema.parse({ knowledgeBaseIds: [KB], query: "{{ start.question }}", ...patch });

describe("Knowledge retrieval node definition", () => {
  it("defaults to hybrid search of the top 5 without threshold or filter", () => {
    expect(KnowledgeConfigSchema.parse({})).toEqual({ knowledgeBaseIds: [], query: "", mode: "hybrid", topK: 5, filter: [] });
    expect(KnowledgeConfigSchema.parse(knowledgeNode.defaultConfig())).toEqual(knowledgeNode.defaultConfig());
  });

  it("rejects out-of-range settings and ids that are not uuids", () => {
    expect(KnowledgeConfigSchema.safeParse({ topK: 0 }).success).toBe(false);
    expect(KnowledgeConfigSchema.safeParse({ topK: 51 }).success).toBe(false);
    expect(KnowledgeConfigSchema.safeParse({ scoreThreshold: 1.5 }).success).toBe(false);
    expect(KnowledgeConfigSchema.safeParse({ mode: "semantic" }).success).toBe(false);
    expect(KnowledgeConfigSchema.safeParse({ knowledgeBaseIds: ["kb-1"] }).success).toBe(false);
  });

  it("reports a missing knowledge base, an empty query, duplicates and keyless filter values", () => {
    expect(knowledgeNode.check!(config())).toEqual([]);
    expect(knowledgeNode.check!(config({ knowledgeBaseIds: [] }))).toContain("Choose at least one knowledge base.");
    expect(knowledgeNode.check!(config({ query: "  " }))).toContain("The query is empty.");
    expect(knowledgeNode.check!(config({ knowledgeBaseIds: [KB, KB] }))).toContain("A knowledge base is selected twice.");
    expect(knowledgeNode.check!(config({ filter: [{ key: "", value: "HR" }] }))).toContain("Filter 1 has a value but no key.");
    const noRerankModel = "Choose a provider and model for reranking (not a model alias), or turn reranking off.";
    expect(knowledgeNode.check!(config({ rerank: { providerId: "", model: "" } }))).toContain(noRerankModel);
    expect(knowledgeNode.check!(config({ rerank: { providerId: "alias", model: "fast" } }))).toContain(noRerankModel);
    expect(knowledgeNode.check!(config({ rerank: { providerId: KB, model: "jina-reranker-v2" } }))).toEqual([]);
    expect(knowledgeNode.check!(config({ filter: [{ key: "dept", value: "HR" }, { key: "dept", value: "IT" }] }))).toContain("A filter key is used twice.");
  });

  it("an imported workflow's knowledge base that this workspace lacks stays an error on the node (Knowledge and Agent) until dismissed", () => {
    const problem = 'Knowledge base "Price list" not found in this workspace, pick one (then dismiss the notice).';
    expect(knowledgeNode.check!(config({ knowledgeBaseIds: [], unresolvedKnowledgeBases: ["Price list"] }))).toEqual([problem]);
    expect(knowledgeNode.check!(config({ unresolvedKnowledgeBases: ["Price list"] }))).toEqual([problem]);
    const agent = AgentConfigSchema.parse({ providerId: "p", model: "m", userPrompt: "hi", unresolvedKnowledgeBases: ["Price list"] });
    expect(agentNode.check!(agent)).toEqual([problem]);
    expect(agentNode.check!({ ...agent, unresolvedKnowledgeBases: undefined })).toEqual([]);
  });

  it("publishes context and chunks, and its query and filter values are checked templates", () => {
    expect(knowledgeNode.outputFields(config()).map((f) => f.name)).toEqual(["context", "chunks"]);
    expect(knowledgeNode.templates(config({ filter: [{ key: "dept", value: "{{ start.dept }}" }] }))).toEqual(["{{ start.question }}", "{{ start.dept }}"]);
    expect(nodeRegistry.knowledge).toBe(knowledgeNode);
  });

  it("summarises the node on the canvas, also a broken draft", () => {
    expect(nodeSummary("knowledge", config({ mode: "keyword", topK: 3 }))).toEqual(["Searches 1 knowledge base · keyword, top 3", "Query: {{ start.question }}"]);
    expect(nodeSummary("knowledge", { knowledgeBaseIds: "broken" })).toEqual(["No knowledge base chosen", "No query"]);
    expect(nodeSummary("agent", { model: "m", tools: [], knowledgeBases: [KB, KB2] })).toEqual(["Model: m", "0 tools · 2 knowledge bases · max 5 iterations"]);
  });

  it("the validator reports a missing knowledge base and accepts {{ knowledge.context }} downstream", () => {
    const graph = (knowledgeBaseIds: string[]) => ({
      version: 1 as const,
      nodes: [
        { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "question", label: "", type: "string", required: true, description: "" }] } },
        { id: "knowledge", type: "knowledge", position: { x: 1, y: 0 }, data: { knowledgeBaseIds, query: "{{ start.question }}" } },
        { id: "end", type: "end", position: { x: 2, y: 0 }, data: { outputs: [{ name: "context", value: "{{ knowledge.context }}" }] } },
      ],
      edges: [
        { id: "e1", source: "start", target: "knowledge" },
        { id: "e2", source: "knowledge", target: "end" },
      ],
    });
    const messages = (ids: string[]) => validateGraph(graph(ids), nodeRegistry).map((p) => p.message);
    expect(messages([])).toEqual(['Knowledge retrieval node "knowledge": Choose at least one knowledge base.']);
    expect(messages([KB])).toEqual([]);
  });
});

describe("Knowledge retrieval executor", () => {
  const chunk = { chunkId: "c1", knowledgeBaseId: KB, documentId: "d1", documentName: "handbook.md", text: "25 vacation days", score: 0.9, page: 3, section: "Leave", citation: 1 };

  it("renders the query and filter values, searches with the config's settings and records the citations", async () => {
    const searches: KnowledgeSearch[] = [];
    const port: KnowledgePort = {
      describe: async (ids) => ids.map((id) => ({ id, name: "Handbook", description: "" })),
      search: async (request) => (searches.push(request), { chunks: [chunk], context: "[1] handbook.md, page 3, Leave\n25 vacation days" }),
    };
    const ctx = nodeContext(config({ mode: "vector", topK: 3, scoreThreshold: 0.2, filter: [{ key: "dept", value: "{{ start.dept }}" }, { key: " ", value: "" }] }), { start: { question: "Vacation?", dept: "HR" } }, { knowledge: port });
    const result = await executeKnowledge(ctx);
    expect(searches).toEqual([{ knowledgeBaseIds: [KB], query: "Vacation?", mode: "vector", topK: 3, scoreThreshold: 0.2, filter: { dept: "HR" }, signal: ctx.signal }]);
    expect(result.output).toEqual({ context: "[1] handbook.md, page 3, Leave\n25 vacation days", chunks: [chunk] });
    expect(result.detail).toEqual({
      retrieval: { knowledgeBases: [{ id: KB, name: "Handbook" }], mode: "vector", topK: 3, scoreThreshold: 0.2, citations: [{ citation: 1, chunkId: "c1", knowledgeBaseId: KB, documentId: "d1", documentName: "handbook.md", page: 3, section: "Leave", score: 0.9 }] },
    });
  });

  it("fails clearly on an empty rendered query and without the knowledge port", async () => {
    const port: KnowledgePort = { describe: async () => [], search: async () => ({ chunks: [], context: "" }) };
    await expect(executeKnowledge(nodeContext(config(), { start: { question: " " } }, { knowledge: port }))).rejects.toMatchObject({ code: "invalid_input", message: "The query is empty after rendering." });
    await expect(executeKnowledge(nodeContext(config(), { start: { question: "q" } }))).rejects.toMatchObject({ code: "internal" });
  });
});

describe("Agent knowledge tools", () => {
  it("names each tool search_<slug> within 64 function-name characters", () => {
    expect(knowledgeToolName("Employee Handbook")).toBe("search_employee_handbook");
    expect(knowledgeToolName("  Café — FAQ (2024)! ")).toBe("search_cafe_faq_2024");
    expect(knowledgeToolName("差旅制度")).toBe("search_knowledge");
    expect(knowledgeToolName("x".repeat(100))).toHaveLength(64);
  });

  it("gives clashing names a number, also against workspace tools", () => {
    expect(knowledgeToolNames([{ name: "Docs" }, { name: "docs!" }, { name: "FAQ" }], ["search_faq"])).toEqual(["search_docs", "search_docs_2", "search_faq_2"]);
  });

  it("accepts knowledge bases in the Agent config and reports one chosen twice", () => {
    const agent = AgentConfigSchema.parse({ providerId: "p", model: "m", userPrompt: "hi", knowledgeBases: [KB, KB] });
    expect(agentNode.check!(agent)).toContain("A knowledge base is selected twice.");
    expect(AgentConfigSchema.parse({}).knowledgeBases).toEqual([]);
  });

  it("numbers citations across the searches of one step and clamps top_k", async () => {
    const searches: KnowledgeSearch[] = [];
    const port: KnowledgePort = {
      describe: async () => [],
      search: async (request) => {
        searches.push(request);
        const chunks = [1, 2].map((citation) => ({ chunkId: `c${searches.length}${citation}`, knowledgeBaseId: request.knowledgeBaseIds[0]!, documentId: "d", documentName: "a.md", text: `text ${citation}`, score: 0.5, page: 2, section: null, citation }));
        return { chunks, context: "" };
      },
    };
    const [handbook, faq] = knowledgeTools(port, [{ id: KB, name: "Handbook", description: "" }, { id: KB2, name: "FAQ", description: "Questions" }], []);
    expect(handbook!.descriptor).toMatchObject({ id: KB, name: "search_handbook", kind: "knowledge" });
    const signal = new AbortController().signal;
    const first = await handbook!.search({ query: "vacation", top_k: 99 }, signal);
    const second = await faq!.search({ query: "badge" }, signal);
    expect(first.citations.map((c) => c.citation)).toEqual([1, 2]);
    expect(second.citations.map((c) => c.citation)).toEqual([3, 4]);
    expect(second.output).toMatchObject({ results: [{ citation: 3, source: "a.md, page 2", text: "text 1" }, { citation: 4 }] });
    expect(searches.map((s) => [s.knowledgeBaseIds, s.topK])).toEqual([[[KB], 20], [[KB2], 5]]);
    expect(await handbook!.search({ query: " " }, signal)).toEqual({ output: { error: "Give a non-empty `query`." }, citations: [] });
  });
});
