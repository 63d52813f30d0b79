import type { Embeddings } from "@langchain/core/embeddings";
import type { Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import type { Cost } from "@/lib/engine/ports";
import { env } from "@/lib/env";
import { assertProviderReachable, type ChatDeps, decryptKey, loadProvider, type ProviderConnection, shouldFallBack } from "@/lib/models/chat-service";
import { costOf } from "@/lib/models/cost";
import { NO_API_KEY } from "@/lib/models/kinds/openai";
import { classifyProviderError } from "@/lib/models/provider-errors";
import type { ProviderKind } from "@/lib/models/provider-kinds";
import { createGuardedFetch, type FetchLike } from "@/lib/net/guarded-fetch";
import { getNetworkAllowList } from "@/lib/net/workspace-allow-list";
import { readModelInfoMap } from "@/lib/providers/schema";
import { cipherFromEnv } from "@/lib/secrets/crypto";

/**
 * Embedding models through the provider registry: the same provider rows, SSRF-guarded fetch,
 * encrypted keys and error messages as chat models. OpenAI-compatible endpoints (OpenAI, Ark,
 * DashScope, vLLM, Ollama /v1) use LangChain's OpenAIEmbeddings, Ollama's native API
 * OllamaEmbeddings. Batching and retries (429, 5xx, network, timeouts) happen here, so progress
 * can be reported per batch and a provider's Retry-After is honoured.
 */
export interface EmbeddingTarget {
  providerId: string;
  model: string;
  /** When set, every returned vector must have this length (the knowledge base's). */
  dimensions?: number;
  /** Asks the model for vectors of this length (OpenAI `dimensions`); not every endpoint accepts it. */
  requestDimensions?: number;
}

export interface EmbeddingResult {
  vectors: number[][];
  /** Tokens the provider reported (0 when it reports none). */
  tokens: number;
  /** Undefined when the model has no price. */
  cost?: Cost;
}

export interface Embedder {
  /** Embeds texts in batches; onBatch reports how many are done after each batch. */
  embed(texts: string[], options?: { signal?: AbortSignal; onBatch?: (done: number) => Promise<void> | void }): Promise<EmbeddingResult>;
}

export interface EmbedderOptions extends ChatDeps {
  db: Db;
  workspaceId: string;
  batchSize?: number;
  /** Attempts per batch (1 = no retry). */
  attempts?: number;
  /** First backoff delay; doubled per attempt, capped at 30 s. */
  backoffMs?: number;
}

const KIND_OF_EMBEDDINGS: Record<ProviderKind, "openai" | "ollama" | null> = { openai_compatible: "openai", ollama: "ollama", anthropic: null };

/**
 * LangChain's embedding classes drop the usage the provider reports, so the fetch they use reads
 * it from each JSON response (OpenAI `usage.prompt_tokens`, Ollama `prompt_eval_count`).
 */
function usageReadingFetch(fetch: FetchLike, onTokens: (tokens: number) => void): FetchLike {
  return async (input, init) => {
    const response = await fetch(input, init);
    if (response.ok && response.headers.get("content-type")?.includes("json")) {
      const body = (await response.clone().json().catch(() => null)) as { usage?: { prompt_tokens?: unknown }; prompt_eval_count?: unknown } | null;
      const tokens = body?.usage?.prompt_tokens ?? body?.prompt_eval_count;
      if (typeof tokens === "number") onTokens(tokens);
    }
    return response;
  };
}

async function buildModel(provider: ProviderConnection, target: EmbeddingTarget, apiKey: string | undefined, fetch: FetchLike, batchSize: number): Promise<Embeddings> {
  const wire = KIND_OF_EMBEDDINGS[provider.kind as ProviderKind];
  if (wire === "ollama") {
    const { OllamaEmbeddings } = await import("@langchain/ollama");
    const headers = apiKey ? { Authorization: `Bearer ${apiKey}` } : undefined;
    return new OllamaEmbeddings({ model: target.model, baseUrl: provider.baseUrl.replace(/\/(api|v1)\/?$/, ""), headers, dimensions: target.requestDimensions, fetch: fetch as typeof globalThis.fetch });
  }
  if (wire === "openai") {
    const { OpenAIEmbeddings } = await import("@langchain/openai");
    return new OpenAIEmbeddings({
      model: target.model,
      apiKey: apiKey || NO_API_KEY,
      dimensions: target.requestDimensions,
      batchSize,
      // Retries are ours (per batch, with Retry-After); a hidden retry here would multiply them.
      maxRetries: 0,
      configuration: { baseURL: provider.baseUrl, fetch, organization: null, project: null },
    });
  }
  throw new NodeError("provider_bad_request", `Provider "${provider.name}" (${provider.kind}) has no embeddings API. Choose an OpenAI-compatible or Ollama provider.`);
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

/** The embedder of one model of one workspace's provider. */
export async function createEmbedder(target: EmbeddingTarget, options: EmbedderOptions): Promise<Embedder> {
  const { db, workspaceId } = options;
  const provider = await loadProvider(db, workspaceId, target);
  const open = options.allowPrivateNetwork ?? env().WEFT_ALLOW_PRIVATE_NETWORK;
  const deps: ChatDeps = { ...options, allowPrivateNetwork: open, allowList: options.allowList ?? (open ? [] : await getNetworkAllowList(db, workspaceId)) };
  await assertProviderReachable(provider, deps);
  const apiKey = decryptKey(provider, deps.cipher ?? cipherFromEnv());
  const info = readModelInfoMap(provider.modelInfo)[target.model];
  const batchSize = options.batchSize ?? env().WEFT_EMBEDDING_BATCH_SIZE;
  const attempts = options.attempts ?? 4;
  const backoffMs = options.backoffMs ?? 500;
  let tokens = 0;
  const fetch = usageReadingFetch(deps.fetch ?? createGuardedFetch({ allowPrivate: open, allowList: deps.allowList }), (n) => (tokens += n));
  const model = await buildModel(provider, target, apiKey, fetch, batchSize);

  async function embedBatch(batch: string[], signal?: AbortSignal): Promise<number[][]> {
    for (let attempt = 1; ; attempt++) {
      try {
        const vectors = await model.embedDocuments(batch);
        if (vectors.length !== batch.length) throw new NodeError("output_invalid", `The embedding model returned ${vectors.length} vectors for ${batch.length} texts.`);
        const wrong = target.dimensions ? vectors.find((v) => v.length !== target.dimensions) : undefined;
        if (wrong) {
          throw new NodeError("output_invalid", `Model "${target.model}" returned ${wrong.length}-dimensional vectors; this knowledge base expects ${target.dimensions}.`);
        }
        return vectors;
      } catch (error) {
        const failure = classifyProviderError(error, { providerName: provider.name, baseUrl: provider.baseUrl, secrets: apiKey ? [apiKey] : [], signal });
        if (attempt >= attempts || !shouldFallBack(failure)) throw failure;
        await sleep(Math.min(failure.retryAfterMs ?? backoffMs * 2 ** (attempt - 1), 30_000), signal);
      }
    }
  }

  return {
    async embed(texts, { signal, onBatch } = {}) {
      const before = tokens;
      const vectors: number[][] = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        signal?.throwIfAborted();
        vectors.push(...(await embedBatch(texts.slice(start, start + batchSize), signal)));
        await onBatch?.(vectors.length);
      }
      const used = tokens - before;
      const cost = costOf({ promptTokens: used, completionTokens: 0, totalTokens: used }, info);
      return { vectors, tokens: used, ...(cost ? { cost } : {}) };
    },
  };
}
