import { z } from "zod";
import { poolOf, type Db } from "@/lib/db/client";
import { prepared } from "@/lib/db/prepared";
import { NodeError } from "@/lib/engine/errors";
import type { ChatAttempt, ChatRequest, ChatResponse, EngineServices } from "@/lib/engine/ports";
import { env } from "@/lib/env";
import type { FetchLike } from "@/lib/net/guarded-fetch";
import { assertSafeUrl, SsrfError } from "@/lib/net/ssrf";
import { getNetworkAllowList } from "@/lib/net/workspace-allow-list";
import { type Cipher, cipherFromEnv } from "@/lib/secrets/crypto";
import { readModelInfoMap } from "@/lib/providers/schema";
import { assertFitsContext } from "./context-window";
import { costOf } from "./cost";
import { ALIAS_PROVIDER_ID, type ModelTarget } from "./model-ref";
import { classifyProviderError } from "./provider-errors";
import { isProviderKind } from "./provider-kinds";
import { stepCallMemory, withProviderLimits } from "@/lib/limits/provider-gate";

/** The columns of a provider row a model call needs. */
export interface ProviderConnection {
  id: string;
  name: string;
  kind: string;
  baseUrl: string;
  apiKeyCipher: string | null;
  models: string[];
  /** The stored ModelProvider.modelInfo column (prices and context window); absent means unknown. */
  modelInfo?: unknown;
  /** The stored ModelProvider.limits column (requests/tokens per minute, concurrent calls); absent means none. */
  limits?: unknown;
}

export interface ChatDeps {
  cipher?: Cipher;
  /** Defaults to WEFT_ALLOW_PRIVATE_NETWORK. */
  allowPrivateNetwork?: boolean;
  /** The workspace's network allow-list (createChatService loads it per call; none when absent). */
  allowList?: readonly string[];
  /** Whole-call deadline (connect, first token, last token). */
  timeoutMs?: number;
  /** Replaces the SSRF-guarded fetch (tests only). */
  fetch?: FetchLike;
}

export const DEFAULT_CHAT_TIMEOUT_MS = 120_000;

export function decryptKey(provider: ProviderConnection, cipher: Cipher): string | undefined {
  if (!provider.apiKeyCipher) return undefined;
  try {
    return cipher.decrypt(provider.apiKeyCipher);
  } catch (error) {
    throw new NodeError("provider_auth", `The API key of provider "${provider.name}" cannot be decrypted: ${(error as Error).message} Re-enter the key in Settings → Models.`, {
      cause: error,
    });
  }
}

/** Checks the provider's address against the network policy before any call; returns the private-network switch used. */
export async function assertProviderReachable(provider: ProviderConnection, deps: ChatDeps): Promise<boolean> {
  const allowPrivate = deps.allowPrivateNetwork ?? env().WEFT_ALLOW_PRIVATE_NETWORK;
  try {
    await assertSafeUrl(provider.baseUrl, { allowPrivate, allowList: deps.allowList });
  } catch (error) {
    if (error instanceof SsrfError) {
      throw new NodeError("provider_bad_request", `Provider "${provider.name}" cannot be reached: ${error.message}`, { cause: error });
    }
    throw error;
  }
  return allowPrivate;
}

/** One streamed completion against an already-loaded (and already authorised) provider row. */
export async function chatWithProvider(provider: ProviderConnection, request: ChatRequest, deps: ChatDeps = {}): Promise<ChatResponse> {
  if (!isProviderKind(provider.kind)) {
    throw new NodeError("provider_not_found", `Provider "${provider.name}" has kind "${provider.kind}", which this version of Weft cannot call.`);
  }
  const allowPrivate = await assertProviderReachable(provider, deps);
  const info = readModelInfoMap(provider.modelInfo)[request.model];
  if (request.tools?.length && info && !info.capabilities.tools) {
    throw new NodeError(
      "provider_bad_request",
      `Model "${request.model}" of provider "${provider.name}" is marked as unable to call tools (Settings → Models). Choose a model with tool support, or tick Tools if it has it.`,
    );
  }
  await assertFitsContext(request.messages, request.tools, { model: request.model, contextWindow: info?.contextWindow });
  const apiKey = decryptKey(provider, deps.cipher ?? cipherFromEnv());
  const timeoutMs = deps.timeoutMs ?? DEFAULT_CHAT_TIMEOUT_MS;

  if (request.signal.aborted) throw new NodeError("cancelled", "The model call was cancelled.");

  const deadline = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    deadline.abort(new Error("deadline"));
  }, timeoutMs);
  const signal = AbortSignal.any([request.signal, deadline.signal]);
  try {
    // LangChain and the provider SDKs load on a process's first model call, not at start-up:
    // a worker that runs no model never pays their memory (issue #9, point 6).
    const { createChatModel, streamChat } = await import("./chat-model");
    const model = createChatModel(provider.kind, {
      baseUrl: provider.baseUrl,
      apiKey,
      model: request.model,
      temperature: request.temperature,
      maxTokens: request.maxTokens,
      timeoutMs,
      allowPrivateNetwork: allowPrivate,
      allowList: deps.allowList,
      fetch: deps.fetch,
      headers: request.idempotencyKey ? { "Idempotency-Key": request.idempotencyKey } : undefined,
      json: request.json,
      signal,
    });
    const response = await streamChat(model, request.messages, {
      signal,
      json: request.json,
      onToken: request.onToken,
      tools: request.tools,
      toolChoice: request.toolChoice,
    });
    const cost = costOf(response.usage, info);
    return { ...response, providerId: provider.id, ...(cost ? { cost } : {}) };
  } catch (error) {
    throw classifyProviderError(error, {
      providerName: provider.name,
      baseUrl: provider.baseUrl,
      secrets: apiKey ? [apiKey] : [],
      signal: request.signal,
      timedOut,
      timeoutMs,
    });
  } finally {
    clearTimeout(timer);
  }
}

export interface ChatServiceOptions extends ChatDeps {
  db: Db;
  /** The run's workspace: a provider of any other workspace is invisible to it. */
  workspaceId: string;
}

/** Every model call reads its provider (an admin's change applies to the next call): a prepared statement, not Prisma's compiler. */
const FIND_PROVIDER = prepared(
  "model_provider_connection",
  `SELECT id, name, kind, "baseUrl", "apiKeyCipher", models, "modelInfo", limits FROM model_providers WHERE id = $1 AND "workspaceId" = $2`,
);
const ProviderRowSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  baseUrl: z.string(),
  apiKeyCipher: z.string().nullable(),
  models: z.array(z.string()),
  modelInfo: z.unknown(),
  limits: z.unknown(),
});

/** One call to a loaded provider, within its rate limits (lib/limits/provider-gate.ts). */
type LimitedCall = (provider: ProviderConnection, request: ChatRequest, deps: ChatDeps) => Promise<ChatResponse>;

export async function loadProvider(db: Db, workspaceId: string, target: ModelTarget): Promise<ProviderConnection> {
  const { rows } = await poolOf(db).query(FIND_PROVIDER([target.providerId, workspaceId]));
  const provider = rows.length ? ProviderRowSchema.parse(rows[0]) : null;
  if (!provider) {
    throw new NodeError("provider_not_found", `The model provider "${target.providerId}" does not exist in this workspace (it may have been deleted). Choose a provider in Settings → Models.`);
  }
  if (!provider.models.includes(target.model)) {
    const listed = provider.models.length ? provider.models.join(", ") : "none";
    throw new NodeError("provider_not_found", `Model "${target.model}" is not configured on provider "${provider.name}" (configured: ${listed}).`);
  }
  return provider;
}

/** The ordered targets of a workspace model alias (lib/model-aliases owns the rows). */
async function aliasTargets(db: Db, workspaceId: string, name: string): Promise<ModelTarget[]> {
  const alias = await db.modelAlias.findFirst({ where: { workspaceId, name }, select: { targets: true } });
  if (!alias) throw new NodeError("provider_not_found", `The model alias "${name}" does not exist in this workspace. Choose a model or define the alias in Settings → Models → Aliases.`);
  const targets = readTargets(alias.targets);
  if (!targets.length) throw new NodeError("provider_not_found", `The model alias "${name}" has no models.`);
  return targets;
}

export function readTargets(value: unknown): ModelTarget[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((t: unknown) => {
    const target = t as Partial<ModelTarget> | null;
    return target && typeof target.providerId === "string" && typeof target.model === "string" ? [{ providerId: target.providerId, model: target.model }] : [];
  });
}

/** Failures worth trying the next model of an alias for: the provider is busy or down, not the request wrong. */
export function shouldFallBack(error: NodeError): boolean {
  return error.code === "provider_rate_limit" || error.code === "provider_unavailable" || error.code === "timeout";
}

/**
 * Tries an alias's targets in order. Falls back only on rate limits, 5xx, network errors and
 * timeouts, and only while no token of the failed attempt has reached the live stream (a second
 * model's answer must not be appended to half of the first one's). Every attempt is reported.
 */
async function chatWithFallback(db: Db, workspaceId: string, alias: string, request: ChatRequest, deps: ChatDeps, limited: LimitedCall): Promise<ChatResponse> {
  const targets = await aliasTargets(db, workspaceId, alias);
  const attempts: ChatAttempt[] = [];
  for (const [index, target] of targets.entries()) {
    const started = performance.now();
    let streamed = false;
    const onToken = request.onToken
      ? (text: string) => {
          streamed = true;
          request.onToken?.(text);
        }
      : undefined;
    try {
      const provider = await loadProvider(db, workspaceId, target);
      const response = await limited(provider, { ...request, providerId: target.providerId, model: target.model, onToken }, deps);
      attempts.push({ providerId: target.providerId, model: target.model, ok: true, durationMs: Math.round(performance.now() - started) });
      return { ...response, attempts };
    } catch (error) {
      if (!(error instanceof NodeError)) throw error;
      attempts.push({ ...target, ok: false, error: { code: error.code, message: error.message }, durationMs: Math.round(performance.now() - started) });
      const last = index === targets.length - 1;
      if (last || streamed || !shouldFallBack(error)) {
        const tried = attempts.map((a) => `${a.model}: ${a.error?.message ?? "ok"}`).join(" | ");
        const message = attempts.length > 1 ? `Model alias "${alias}": every model tried failed. ${tried}` : error.message;
        throw new NodeError(error.code, message, { retryable: error.retryable, cause: error, retryAfterMs: error.retryAfterMs, trace: { detail: { attempts } } });
      }
    }
  }
  throw new NodeError("internal", `Model alias "${alias}" has no models.`);
}

/** The `chat` port of EngineServices for one workspace: its providers, reached through its network allow-list. */
export function createChatService(options: ChatServiceOptions): EngineServices["chat"] {
  const { db, workspaceId, ...rest } = options;
  const steps = stepCallMemory();
  const limited: LimitedCall = async (provider, request, deps) => {
    const response = await withProviderLimits(provider, request, () => chatWithProvider(provider, request, deps), { waitInPlace: steps.hasCalled(request) });
    steps.remember(request);
    return response;
  };
  return async (request) => {
    if (!request.providerId) throw new NodeError("provider_not_found", "No model provider is selected for this node.");
    // Read per call, so an admin's change applies to the next model call of a running workflow.
    const open = rest.allowPrivateNetwork ?? env().WEFT_ALLOW_PRIVATE_NETWORK;
    const deps: ChatDeps = { ...rest, allowList: rest.allowList ?? (open ? [] : await getNetworkAllowList(db, workspaceId)) };
    if (request.providerId === ALIAS_PROVIDER_ID) return chatWithFallback(db, workspaceId, request.model, request, deps, limited);
    const provider = await loadProvider(db, workspaceId, request);
    return limited(provider, request, deps);
  };
}
