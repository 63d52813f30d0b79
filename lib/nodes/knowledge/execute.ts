import { NodeError } from "@/lib/engine/errors";
import type { NodeContext, NodeResult } from "@/lib/engine/node-kit";
import type { KnowledgePort } from "@/lib/engine/ports";
import type { KnowledgeConfig } from "./definition";
import { rerankStepUsage } from "./rerank";
import { citationRecords, type RetrievalDetail } from "./trace";

export function knowledgePort(port: KnowledgePort | undefined): KnowledgePort {
  if (!port) throw new NodeError("internal", "Knowledge bases are not available in this environment.", { retryable: false });
  return port;
}

async function renderFilter(ctx: NodeContext<KnowledgeConfig>): Promise<Record<string, string> | undefined> {
  const filter: Record<string, string> = {};
  for (const { key, value } of ctx.config.filter) {
    if (key.trim()) filter[key.trim()] = await ctx.render(value);
  }
  return Object.keys(filter).length > 0 ? filter : undefined;
}

/**
 * Renders the query and the filter values, searches the chosen knowledge bases of the run's
 * workspace (the port is bound to it; ids from another workspace or deleted bases fail with
 * knowledge_not_found) and publishes the chunks and their numbered-citation context.
 */
export async function executeKnowledge(ctx: NodeContext<KnowledgeConfig>): Promise<NodeResult> {
  const { config } = ctx;
  if (config.knowledgeBaseIds.length === 0) throw new NodeError("invalid_input", "The Knowledge retrieval node has no knowledge base chosen.");
  const port = knowledgePort(ctx.services.knowledge);
  const query = (await ctx.render(config.query)).trim();
  const filter = await renderFilter(ctx);
  const input = { knowledgeBaseIds: config.knowledgeBaseIds, query, mode: config.mode, topK: config.topK, scoreThreshold: config.scoreThreshold ?? null, filter: filter ?? null };
  if (!query) throw new NodeError("invalid_input", "The query is empty after rendering.", { trace: { input } });
  try {
    const bases = await port.describe(config.knowledgeBaseIds);
    const result = await port.search({ knowledgeBaseIds: config.knowledgeBaseIds, query, mode: config.mode, topK: config.topK, scoreThreshold: config.scoreThreshold, filter, rerank: config.rerank, signal: ctx.signal });
    const retrieval: RetrievalDetail = {
      knowledgeBases: bases.map((kb) => ({ id: kb.id, name: kb.name })),
      mode: config.mode,
      topK: config.topK,
      scoreThreshold: config.scoreThreshold ?? null,
      citations: citationRecords(result.chunks),
      ...(result.rerank ? { rerank: result.rerank } : {}),
    };
    const { usage, cost } = rerankStepUsage(result.rerank);
    return { output: { context: result.context, chunks: result.chunks }, input, detail: { retrieval, ...(cost ? { cost } : {}) }, ...(usage ? { usage } : {}) };
  } catch (error) {
    throw error instanceof NodeError ? error.withTrace({ input }) : error;
  }
}
