import type { Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import type { ChatRequest, ChatResponse, EngineServices } from "@/lib/engine/ports";
import { env } from "@/lib/env";
import type { FetchLike } from "@/lib/net/guarded-fetch";
import { assertSafeUrl, SsrfError } from "@/lib/net/ssrf";
import { type Cipher, cipherFromEnv } from "@/lib/secrets/crypto";
import { createChatModel, streamChat } from "./chat-model";
import { classifyProviderError } from "./provider-errors";
import { isProviderKind } from "./provider-kinds";

/** The columns of a provider row a model call needs. */
export interface ProviderConnection {
  id: string;
  name: string;
  kind: string;
  baseUrl: string;
  apiKeyCipher: string | null;
  models: string[];
}

export interface ChatDeps {
  cipher?: Cipher;
  /** Defaults to WEFT_ALLOW_PRIVATE_NETWORK. */
  allowPrivateNetwork?: boolean;
  /** Whole-call deadline (connect, first token, last token). */
  timeoutMs?: number;
  /** Replaces the SSRF-guarded fetch (tests only). */
  fetch?: FetchLike;
}

export const DEFAULT_CHAT_TIMEOUT_MS = 120_000;

function decryptKey(provider: ProviderConnection, cipher: Cipher): string | undefined {
  if (!provider.apiKeyCipher) return undefined;
  try {
    return cipher.decrypt(provider.apiKeyCipher);
  } catch (error) {
    throw new NodeError("provider_auth", `The API key of provider "${provider.name}" cannot be decrypted: ${(error as Error).message} Re-enter the key in Settings → Models.`, {
      cause: error,
    });
  }
}

/** One streamed completion against an already-loaded (and already authorised) provider row. */
export async function chatWithProvider(provider: ProviderConnection, request: ChatRequest, deps: ChatDeps = {}): Promise<ChatResponse> {
  if (!isProviderKind(provider.kind)) {
    throw new NodeError("provider_not_found", `Provider "${provider.name}" has kind "${provider.kind}", which this version of Weft cannot call.`);
  }
  const allowPrivate = deps.allowPrivateNetwork ?? env().WEFT_ALLOW_PRIVATE_NETWORK;
  try {
    await assertSafeUrl(provider.baseUrl, { allowPrivate });
  } catch (error) {
    if (error instanceof SsrfError) {
      throw new NodeError("provider_bad_request", `Provider "${provider.name}" cannot be reached: ${error.message}`, { cause: error });
    }
    throw error;
  }
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
    const model = createChatModel(provider.kind, {
      baseUrl: provider.baseUrl,
      apiKey,
      model: request.model,
      temperature: request.temperature,
      maxTokens: request.maxTokens,
      timeoutMs,
      allowPrivateNetwork: allowPrivate,
      fetch: deps.fetch,
      headers: request.idempotencyKey ? { "Idempotency-Key": request.idempotencyKey } : undefined,
      json: request.json,
      signal,
    });
    return await streamChat(model, request.messages, {
      signal,
      json: request.json,
      onToken: request.onToken,
      tools: request.tools,
      toolChoice: request.toolChoice,
    });
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

/** The `chat` port of EngineServices for one workspace. */
export function createChatService(options: ChatServiceOptions): EngineServices["chat"] {
  const { db, workspaceId, ...deps } = options;
  return async (request) => {
    if (!request.providerId) throw new NodeError("provider_not_found", "No model provider is selected for this node.");
    const provider = await db.modelProvider.findFirst({
      where: { id: request.providerId, workspaceId },
      select: { id: true, name: true, kind: true, baseUrl: true, apiKeyCipher: true, models: true },
    });
    if (!provider) {
      throw new NodeError("provider_not_found", `The model provider "${request.providerId}" does not exist in this workspace (it may have been deleted). Choose a provider in Settings → Models.`);
    }
    if (!provider.models.includes(request.model)) {
      const listed = provider.models.length ? provider.models.join(", ") : "none";
      throw new NodeError("provider_not_found", `Model "${request.model}" is not configured on provider "${provider.name}" (configured: ${listed}).`);
    }
    return chatWithProvider(provider, request, deps);
  };
}
