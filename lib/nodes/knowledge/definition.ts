import { z } from "zod";
import { defineNode } from "@/lib/engine/node-kit";
import { RerankConfigSchema, rerankProblems } from "./rerank";
import { unresolvedKnowledgeProblems, unresolvedKnowledgeShape } from "./unresolved";

/** The same modes, bounds and defaults as lib/knowledge/retrieve.ts (not imported: that module reads the database). */
export const KNOWLEDGE_MODES = ["hybrid", "vector", "keyword"] as const;
export const KNOWLEDGE_LIMITS = { maxBases: 10, maxTopK: 50, defaultTopK: 5, maxFilters: 20 } as const;

/** One metadata condition: documents (or chunks) tagged `key` = `value`; the value is a template. */
export const KnowledgeFilterSchema = z.object({
  key: z.string().max(100),
  value: z.string().max(500),
});

export const KnowledgeConfigSchema = z.object({
  /** Knowledge bases of the workspace; the run looks them up in its own workspace only. */
  knowledgeBaseIds: z.array(z.string().uuid()).max(KNOWLEDGE_LIMITS.maxBases).default([]),
  /** A template: `{{ start.question }}`. */
  query: z.string().max(4_000).default(""),
  mode: z.enum(KNOWLEDGE_MODES).default("hybrid"),
  topK: z.number().int().min(1).max(KNOWLEDGE_LIMITS.maxTopK).default(KNOWLEDGE_LIMITS.defaultTopK),
  /** 0..1; chunks scoring below are left out. Undefined keeps every chunk of the top-k. */
  scoreThreshold: z.number().min(0).max(1).optional(),
  filter: z.array(KnowledgeFilterSchema).max(KNOWLEDGE_LIMITS.maxFilters).default([]),
  /** Optional rerank model (a provider of the workspace serving `/rerank`), applied to the candidates after retrieval. */
  rerank: RerankConfigSchema.optional(),
  ...unresolvedKnowledgeShape,
});
export type KnowledgeConfig = z.infer<typeof KnowledgeConfigSchema>;

export const knowledgeNode = defineNode({
  type: "knowledge",
  label: "Knowledge retrieval",
  description: "Searches knowledge bases and publishes the best chunks with a numbered-citation context for prompts.",
  category: "ai",
  color: "#0f766e",
  configSchema: KnowledgeConfigSchema,
  defaultConfig: () => ({ knowledgeBaseIds: [], query: "", mode: "hybrid" as const, topK: KNOWLEDGE_LIMITS.defaultTopK, filter: [] }),
  hasInput: true,
  outputHandles: () => [{ id: "out", label: "" }],
  outputFields: () => [
    { name: "context", type: "string" as const, description: "The chunks as numbered citations ([1] source, text) for a prompt" },
    { name: "chunks", type: "array" as const, description: "text, score, documentId, documentName, page, section, chunkId, citation" },
  ],
  templates: (config) => [config.query, ...config.filter.map((f) => f.value)],
  check: (config) => {
    const problems = unresolvedKnowledgeProblems(config.unresolvedKnowledgeBases);
    if (config.knowledgeBaseIds.length === 0 && problems.length === 0) problems.push("Choose at least one knowledge base.");
    if (new Set(config.knowledgeBaseIds).size !== config.knowledgeBaseIds.length) problems.push("A knowledge base is selected twice.");
    if (!config.query.trim()) problems.push("The query is empty.");
    problems.push(...rerankProblems(config.rerank));
    const keys = config.filter.map((f) => f.key.trim());
    config.filter.forEach((f, i) => {
      if (!keys[i] && f.value.trim()) problems.push(`Filter ${i + 1} has a value but no key.`);
    });
    if (new Set(keys.filter(Boolean)).size !== keys.filter(Boolean).length) problems.push("A filter key is used twice.");
    return problems;
  },
});
