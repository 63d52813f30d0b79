import { NodeError } from "@/lib/engine/errors";
import { abortableSleep } from "@/lib/engine/policy";
import type { ChatRequest, ChatResponse } from "@/lib/engine/ports";
import { countTokens } from "@/lib/models/local-tokenizer";
import { rateLimiter, type LimitKind, type RateLimiter } from "./rate-limiter";
import { hasProviderLimits, readProviderLimits, type ProviderLimits } from "./schema";
import { RunThrottled } from "./throttled";

/** The provider row's columns the gate reads. */
export interface GatedProvider {
  id: string;
  name: string;
  /** The stored ModelProvider.limits column. */
  limits?: unknown;
}

export interface GateOptions {
  /**
   * Wait inside this call instead of throwing RunThrottled. Set for a step that has already made a
   * model call in this pass (an agent's later turns): giving the run back would execute the step,
   * and pay for its earlier calls, again; with a tight limit it might never get through.
   */
  waitInPlace: boolean;
  limiter?: RateLimiter;
}

/** How often a caller waiting for a concurrent-call slot looks again (slots free up when calls end). */
const SLOT_POLL_MS = 1_000;

/** The prompt's size in tokens, counted locally (lib/models/local-tokenizer.ts): the reservation before the call. */
export async function estimatePromptTokens(request: Pick<ChatRequest, "model" | "messages" | "tools">): Promise<number> {
  const text = request.messages.map((m) => (m.role === "assistant" && m.toolCalls?.length ? `${m.content}${JSON.stringify(m.toolCalls)}` : m.content)).join("\n");
  const tools = request.tools?.length ? JSON.stringify(request.tools) : "";
  return countTokens(`${text}${tools}`, request.model);
}

const count = (n: number | undefined, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

function reasonOf(provider: GatedProvider, limits: ProviderLimits, limit: LimitKind): string {
  switch (limit) {
    case "requests":
      return `provider "${provider.name}" allows ${count(limits.requestsPerMinute, "request")} per minute`;
    case "tokens":
      return `provider "${provider.name}" allows ${count(limits.tokensPerMinute, "token")} per minute`;
    case "concurrency":
      return `provider "${provider.name}" allows ${count(limits.maxConcurrentCalls, "concurrent call")}`;
  }
}

/**
 * Runs one model call within the provider's limits (none configured: the call runs as is).
 * Refused for now: throws RunThrottled (the run is given back to the queue and waits without a
 * worker) or, with `waitInPlace`, sleeps until the limits allow it. The real token usage
 * replaces the estimate afterwards; the concurrency slot is released however the call ends.
 */
export async function withProviderLimits(provider: GatedProvider, request: ChatRequest, call: () => Promise<ChatResponse>, options: GateOptions): Promise<ChatResponse> {
  const limits = readProviderLimits(provider.limits);
  if (!hasProviderLimits(limits)) return call();
  const limiter = options.limiter ?? rateLimiter();
  const estimate = limits.tokensPerMinute !== undefined ? await estimatePromptTokens(request) : 0;
  // The client libraries load on a process's first model call (seconds, cold): load them before the
  // admission, so the request reaches the provider when the window says it did.
  await import("@/lib/models/chat-model");
  for (;;) {
    const admission = await limiter.acquire(`provider:${provider.id}`, limits, estimate);
    if (admission.ok) {
      const { lease } = admission;
      try {
        const response = await call();
        // A provider that reports no usage keeps the estimate.
        if (limits.tokensPerMinute !== undefined && response.usage.totalTokens > 0) await lease.settle(response.usage.totalTokens).catch(() => undefined);
        return response;
      } finally {
        await lease.release().catch(() => undefined);
      }
    }
    const waitMs = admission.limit === "concurrency" ? Math.min(admission.retryAfterMs, SLOT_POLL_MS) : admission.retryAfterMs;
    const reason = reasonOf(provider, limits, admission.limit);
    if (!options.waitInPlace) throw new RunThrottled(reason, waitMs);
    try {
      await abortableSleep(Math.max(50, waitMs), request.signal);
    } catch {
      throw new NodeError("cancelled", "The model call was cancelled while it waited for the provider's rate limit.");
    }
  }
}

/**
 * The per-pass memory of which steps already made a model call (keyed by the step's idempotency
 * key; an agent's later calls carry `:model-<n>` after it), for GateOptions.waitInPlace.
 */
export function stepCallMemory() {
  const called = new Set<string>();
  const stepOf = (key: string | undefined) => (key ?? "").replace(/:model-\d+$/, "");
  return {
    hasCalled: (request: ChatRequest) => request.idempotencyKey !== undefined && called.has(stepOf(request.idempotencyKey)),
    remember: (request: ChatRequest) => {
      if (request.idempotencyKey !== undefined) called.add(stepOf(request.idempotencyKey));
    },
  };
}
