import { z } from "zod";
import type { Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import { env } from "@/lib/env";
import { assertProviderReachable, type ChatDeps, decryptKey, loadProvider } from "@/lib/models/chat-service";
import { costOf } from "@/lib/models/cost";
import { classifyProviderError } from "@/lib/models/provider-errors";
import { readModelInfoMap } from "@/lib/providers/schema";
import type { Cost } from "@/lib/engine/ports";
import { createGuardedFetch } from "@/lib/net/guarded-fetch";
import { getNetworkAllowList } from "@/lib/net/workspace-allow-list";
import { cipherFromEnv } from "@/lib/secrets/crypto";

/**
 * Rerank models through the provider registry: the `/rerank` wire that Jina, Cohere, vLLM, TEI,
 * Xinference and DashScope's compatible mode serve (`{ model, query, documents, top_n }` →
 * `{ results: [{ index, relevance_score }] }`), at the provider's base URL, through the same
 * SSRF guard and encrypted keys as chat and embedding models.
 */
export const RerankTargetSchema = z.object({ providerId: z.string().uuid(), model: z.string().trim().min(1).max(200) }).strict();
export type RerankTarget = z.infer<typeof RerankTargetSchema>;

const RerankResponseSchema = z.object({
  results: z.array(z.object({ index: z.number().int().min(0), relevance_score: z.number() })),
  // Jina, vLLM and Xinference report `usage.total_tokens` (DashScope `usage.total_tokens` too);
  // Cohere bills search units, not tokens, and TEI reports nothing: then the usage is unknown (0).
  usage: z.object({ total_tokens: z.number().int().min(0).optional(), prompt_tokens: z.number().int().min(0).optional() }).passthrough().nullish(),
});

/** One rerank call's ranking and what it used: tokens as the provider reported them, cost from the model's input price. */
export interface RerankResult {
  ranking: { index: number; score: number }[];
  tokens: number;
  /** Undefined when the model has no price (an unknown cost is not a zero cost). */
  cost?: Cost;
}

export interface RerankOptions extends ChatDeps {
  db: Db;
  workspaceId: string;
  signal?: AbortSignal;
}

/** The documents' indexes, most relevant first, with the model's scores (at most topN), and the call's usage. */
export async function rerank(target: RerankTarget, query: string, documents: string[], topN: number, options: RerankOptions): Promise<RerankResult> {
  if (!documents.length) return { ranking: [], tokens: 0 };
  const provider = await loadProvider(options.db, options.workspaceId, target);
  const open = options.allowPrivateNetwork ?? env().WEFT_ALLOW_PRIVATE_NETWORK;
  const deps: ChatDeps = { ...options, allowPrivateNetwork: open, allowList: options.allowList ?? (open ? [] : await getNetworkAllowList(options.db, options.workspaceId)) };
  await assertProviderReachable(provider, deps);
  const apiKey = decryptKey(provider, deps.cipher ?? cipherFromEnv());
  const fetch = deps.fetch ?? createGuardedFetch({ allowPrivate: open, allowList: deps.allowList });
  let body: unknown;
  try {
    const response = await fetch(`${provider.baseUrl.replace(/\/+$/, "")}/rerank`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: JSON.stringify({ model: target.model, query, documents, top_n: topN }),
      signal: options.signal,
    });
    body = await response.json().catch(() => null);
    if (!response.ok) {
      const message = (body as { error?: { message?: string } } | null)?.error?.message ?? `HTTP ${response.status}`;
      throw Object.assign(new Error(message), { status: response.status });
    }
  } catch (error) {
    throw classifyProviderError(error, { providerName: provider.name, baseUrl: provider.baseUrl, secrets: apiKey ? [apiKey] : [], signal: options.signal });
  }
  const parsed = RerankResponseSchema.safeParse(body);
  if (!parsed.success) throw new NodeError("output_invalid", `Rerank model "${target.model}" answered in an unknown shape (expected { results: [{ index, relevance_score }] }).`);
  const tokens = parsed.data.usage?.total_tokens ?? parsed.data.usage?.prompt_tokens ?? 0;
  const cost = costOf({ promptTokens: tokens, completionTokens: 0, totalTokens: tokens }, readModelInfoMap(provider.modelInfo)[target.model]);
  const ranking = parsed.data.results.filter((r) => r.index < documents.length).map((r) => ({ index: r.index, score: r.relevance_score }));
  return { ranking, tokens, ...(cost ? { cost } : {}) };
}
