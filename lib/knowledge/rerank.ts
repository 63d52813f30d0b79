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
 * Rerank models through the provider registry: the `/rerank` wire that Jina, Cohere, vLLM,
 * Xinference and DashScope's compatible mode serve (`{ model, query, documents, top_n }` →
 * `{ results: [{ index, relevance_score }] }`), and Hugging Face TEI's (`{ query, texts }` →
 * `[{ index, score }]`, found by its answer to the first), at the provider's base URL, through the
 * same SSRF guard and encrypted keys as chat and embedding models.
 */
export const RerankTargetSchema = z.object({ providerId: z.string().uuid(), model: z.string().trim().min(1).max(200) }).strict();
export type RerankTarget = z.infer<typeof RerankTargetSchema>;

const count = z.number().int().min(0);

/**
 * A reply's ranking and usage. Jina, vLLM, Xinference and DashScope report `usage.total_tokens`;
 * Cohere reports `meta.billed_units.search_units` (it bills searches: one query with up to 100
 * documents) and, in v2 and compatible servers, `meta.tokens.input_tokens`; TEI answers a bare
 * array of `{ index, score }` and reports nothing.
 */
const RerankResponseSchema = z.union([
  z.object({
    results: z.array(z.object({ index: z.number().int().min(0), relevance_score: z.number() })),
    usage: z.object({ total_tokens: count.optional(), prompt_tokens: count.optional() }).passthrough().nullish(),
    meta: z
      .object({
        billed_units: z.object({ search_units: count.optional(), input_tokens: count.optional() }).passthrough().nullish(),
        tokens: z.object({ input_tokens: count.optional(), output_tokens: count.optional() }).passthrough().nullish(),
      })
      .passthrough()
      .nullish(),
  }),
  z.array(z.object({ index: z.number().int().min(0), score: z.number() })).transform((results) => ({
    results: results.map(({ index, score }) => ({ index, relevance_score: score })),
    usage: undefined,
    meta: undefined,
  })),
]);
type RerankResponse = z.output<typeof RerankResponseSchema>;

/** What one call used, as the reply says, else estimated. */
export interface RerankCallUsage {
  tokens: number;
  /** The tokens are an estimate from the texts' length: the reply reported none. */
  estimated?: true;
  /** Cohere's billing unit, when the reply gives it. */
  searchUnits?: number;
}

/** About four characters per token (English with BPE tokenizers; CJK runs denser, so this undercounts it). */
const CHARS_PER_TOKEN = 4;

/**
 * The tokens a call used: reported tokens first (`usage`, then Cohere's `meta.tokens` and
 * `meta.billed_units.input_tokens`). A reply without them (TEI, Cohere v1 with search units only)
 * would otherwise count as free; a cross-encoder reads the query once with every document, so
 * the estimate is (query + document) characters / 4 over the documents.
 */
export function rerankUsageOf(reply: RerankResponse, query: string, documents: readonly string[]): RerankCallUsage {
  const searchUnits = reply.meta?.billed_units?.search_units;
  const units = searchUnits !== undefined ? { searchUnits } : {};
  const reported =
    reply.usage?.total_tokens ??
    reply.usage?.prompt_tokens ??
    (reply.meta?.tokens?.input_tokens !== undefined ? reply.meta.tokens.input_tokens + (reply.meta.tokens.output_tokens ?? 0) : undefined) ??
    reply.meta?.billed_units?.input_tokens;
  if (reported !== undefined) return { tokens: reported, ...units };
  const characters = documents.reduce((sum, document) => sum + query.length + document.length, 0);
  return { tokens: Math.ceil(characters / CHARS_PER_TOKEN), estimated: true, ...units };
}

/** Parses a `/rerank` reply (any of the shapes above), or null when it is none of them. */
export function parseRerankReply(body: unknown): RerankResponse | null {
  const parsed = RerankResponseSchema.safeParse(body);
  return parsed.success ? parsed.data : null;
}

/** One rerank call's ranking and what it used: tokens as the provider reported them, cost from the model's input price. */
export interface RerankResult extends RerankCallUsage {
  ranking: { index: number; score: number }[];
  /** Undefined when the model has no price (an unknown cost is not a zero cost). */
  cost?: Cost;
}

export interface RerankOptions extends ChatDeps {
  db: Db;
  workspaceId: string;
  signal?: AbortSignal;
}

/**
 * Base URLs that answered the common shape with TEI's "missing field `texts`": Hugging Face TEI's
 * own `/rerank` takes `{ query, texts }`. Such a server is asked in its shape from then on. Bounded.
 */
const teiServers = new Set<string>();
const TEI_SERVERS_MAX = 500;

type Fetch = NonNullable<ChatDeps["fetch"]>;
interface RerankCall {
  model: string;
  query: string;
  documents: string[];
  topN: number;
}

/** One POST to `<base>/rerank`; the parsed body of a 2xx answer, else an error carrying the status. */
async function postJson(fetch: Fetch, url: string, apiKey: string | undefined, payload: object, signal?: AbortSignal): Promise<{ ok: true; body: unknown } | { ok: false; status: number; text: string; body: unknown }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
    body: JSON.stringify(payload),
    signal,
  });
  const text = await response.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // TEI answers a refused body in plain text.
  }
  return response.ok ? { ok: true, body } : { ok: false, status: response.status, text, body };
}

/** The common `/rerank` shape first, TEI's when the server says it wants `texts` (then remembered). */
async function postRerank(fetch: Fetch, baseUrl: string, apiKey: string | undefined, call: RerankCall, signal?: AbortSignal): Promise<unknown> {
  const url = `${baseUrl.replace(/\/+$/, "")}/rerank`;
  const tei = { query: call.query, texts: call.documents, truncate: true };
  const common = { model: call.model, query: call.query, documents: call.documents, top_n: call.topN };
  let answer = await postJson(fetch, url, apiKey, teiServers.has(url) ? tei : common, signal);
  if (!answer.ok && !teiServers.has(url) && (answer.status === 400 || answer.status === 422) && /\btexts\b/.test(answer.text)) {
    answer = await postJson(fetch, url, apiKey, tei, signal);
    if (answer.ok) {
      if (teiServers.size >= TEI_SERVERS_MAX) teiServers.delete(teiServers.values().next().value!);
      teiServers.add(url);
    }
  }
  if (answer.ok) return answer.body;
  const message = (answer.body as { error?: { message?: string } } | null)?.error?.message ?? (answer.text.slice(0, 300) || `HTTP ${answer.status}`);
  throw Object.assign(new Error(message), { status: answer.status });
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
    body = await postRerank(fetch, provider.baseUrl, apiKey, { model: target.model, query, documents, topN }, options.signal);
  } catch (error) {
    throw classifyProviderError(error, { providerName: provider.name, baseUrl: provider.baseUrl, secrets: apiKey ? [apiKey] : [], signal: options.signal });
  }
  const reply = parseRerankReply(body);
  if (!reply) throw new NodeError("output_invalid", `Rerank model "${target.model}" answered in an unknown shape (expected { results: [{ index, relevance_score }] }).`);
  const usage = rerankUsageOf(reply, query, documents);
  const cost = costOf({ promptTokens: usage.tokens, completionTokens: 0, totalTokens: usage.tokens }, readModelInfoMap(provider.modelInfo)[target.model]);
  const ranking = reply.results.filter((r) => r.index < documents.length).map((r) => ({ index: r.index, score: r.relevance_score }));
  return { ranking, ...usage, ...(cost ? { cost } : {}) };
}
