import type { Cost, KnowledgeBaseInfo, KnowledgeChunk, KnowledgePort, ToolDescriptor } from "@/lib/engine/ports";
import type { TokenUsage } from "@/lib/engine/usage";
import { sourceLabel } from "@/lib/knowledge/citations";
import { type RerankConfig, rerankStepUsage } from "../knowledge/rerank";
import { citationRecords, type CitationRecord } from "../knowledge/trace";

/** What a knowledge tool gives the model when it may choose top_k itself. */
export const KNOWLEDGE_TOOL_TOP_K = { default: 5, max: 20 } as const;
const NAME_MAX = 64;

/** `search_<slug of the name>`, a function name every model accepts ([a-z0-9_], at most 64 characters). */
export function knowledgeToolName(name: string): string {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "");
  return `search_${slug || "knowledge"}`.slice(0, NAME_MAX).replace(/_+$/, "");
}

/** Tool names for the bases, unique among themselves and the workspace tools (a clash gets _2, _3…). */
export function knowledgeToolNames(bases: readonly { name: string }[], taken: Iterable<string>): string[] {
  const used = new Set(taken);
  return bases.map((kb) => {
    const base = knowledgeToolName(kb.name);
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base.slice(0, NAME_MAX - String(n).length - 1)}_${n}`;
    used.add(name);
    return name;
  });
}

export interface KnowledgeTool {
  descriptor: ToolDescriptor;
  /**
   * Searches the base; citations are numbered on from those of earlier searches of the same step.
   * A reranked search also returns the rerank call's usage and cost, which count as the step's.
   */
  search(args: Record<string, unknown>, signal: AbortSignal): Promise<{ output: unknown; citations: CitationRecord[]; usage?: TokenUsage; cost?: Cost }>;
}

function topKOf(args: Record<string, unknown>): number {
  const value = typeof args.top_k === "number" ? args.top_k : Number(args.top_k);
  return Number.isFinite(value) ? Math.min(KNOWLEDGE_TOOL_TOP_K.max, Math.max(1, Math.trunc(value))) : KNOWLEDGE_TOOL_TOP_K.default;
}

/**
 * The chosen knowledge bases as tools of one Agent step. The step numbers citations across all its
 * searches ([1]…[3] for the first, [4]… for the next), so the final answer's [n] are unambiguous.
 */
export function knowledgeTools(port: KnowledgePort, bases: readonly KnowledgeBaseInfo[], takenNames: Iterable<string>, rerank?: RerankConfig): KnowledgeTool[] {
  const names = knowledgeToolNames(bases, takenNames);
  let cited = 0;
  return bases.map((kb, i) => ({
    descriptor: {
      id: kb.id,
      name: names[i]!,
      kind: "knowledge",
      description: `Searches the knowledge base "${kb.name}"${kb.description ? ` (${kb.description})` : ""} and returns the most relevant passages with citation numbers and sources. Cite them as [n].`,
      inputSchema: {
        type: "object",
        properties: {
          query: { type: "string", description: "What to look for, in words likely to appear in the documents." },
          top_k: { type: "integer", minimum: 1, maximum: KNOWLEDGE_TOOL_TOP_K.max, description: `How many passages (default ${KNOWLEDGE_TOOL_TOP_K.default}).` },
        },
        required: ["query"],
      },
    },
    async search(args, signal) {
      const query = typeof args.query === "string" ? args.query.trim() : "";
      if (!query) return { output: { error: "Give a non-empty `query`." }, citations: [] };
      const result = await port.search({ knowledgeBaseIds: [kb.id], query, mode: "hybrid", topK: topKOf(args), rerank, signal });
      const chunks: KnowledgeChunk[] = result.chunks.map((chunk) => ({ ...chunk, citation: cited + chunk.citation }));
      cited += chunks.length;
      return {
        output: { results: chunks.map((c) => ({ citation: c.citation, source: sourceLabel(c), text: c.text, score: c.score })) },
        citations: citationRecords(chunks),
        ...rerankStepUsage(result.rerank),
      };
    },
  }));
}
