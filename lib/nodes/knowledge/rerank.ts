import { z } from "zod";
import type { Cost, RerankUsage } from "@/lib/engine/ports";
import type { TokenUsage } from "@/lib/engine/usage";

/**
 * The rerank setting of a knowledge search, shared by the Knowledge retrieval node (`rerank`) and
 * the Agent's knowledge tools (`knowledgeRerank`): one schema, one check, one way to count the call.
 * Loose while editing (a provider not picked yet is ""), checked by `rerankProblems`.
 */
export const RerankConfigSchema = z.object({
  providerId: z.string().max(100),
  model: z.string().max(200),
  /** The provider an imported workflow named that this workspace lacks (lib/workflows/provider-refs.ts); picking a provider drops it. */
  unresolvedProvider: z.string().max(200).optional(),
});
export type RerankConfig = z.infer<typeof RerankConfigSchema>;

/** A provider's id (a UUID) and a model: model aliases have no rerank fallback. */
export function rerankProblems(rerank: RerankConfig | undefined): string[] {
  if (!rerank) return [];
  if (rerank.unresolvedProvider) return [`Model provider "${rerank.unresolvedProvider}" for reranking not found in this workspace, pick one.`];
  if (z.string().uuid().safeParse(rerank.providerId).success && rerank.model.trim()) return [];
  return ["Choose a provider and model for reranking (not a model alias), or turn reranking off."];
}

/** The rerank call is a paid model call: its tokens count as the step's usage and its cost as the step's (run_steps.cost). */
export function rerankStepUsage(rerank: RerankUsage | undefined): { usage?: TokenUsage; cost?: Cost } {
  if (!rerank) return {};
  return { usage: { promptTokens: rerank.tokens, completionTokens: 0, totalTokens: rerank.tokens }, ...(rerank.cost ? { cost: rerank.cost } : {}) };
}
