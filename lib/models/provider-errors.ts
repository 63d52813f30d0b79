import { NodeError } from "@/lib/engine/errors";
import { findSsrfError } from "@/lib/net/guarded-fetch";
import { redactSecrets } from "@/lib/secrets/crypto";

/**
 * Turns whatever a model call threw (OpenAI SDK errors wrapped by LangChain, fetch/undici
 * network errors, aborts) into a NodeError with a stable code and a message that quotes the
 * provider's own words. The API key is scrubbed from every message.
 */

export interface ClassifyContext {
  providerName: string;
  baseUrl: string;
  /** Secrets that must never appear in a message (the decrypted API key). */
  secrets: string[];
  /** The caller's signal: when it fired, the failure is a cancellation whatever the error looks like. */
  signal?: AbortSignal;
  /** Our own deadline fired. */
  timedOut?: boolean;
  timeoutMs?: number;
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_CLOSED",
]);

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  status?: unknown;
  /** Ollama's ResponseError names the HTTP status this way. */
  status_code?: unknown;
  code?: unknown;
  error?: unknown;
  headers?: unknown;
  cause?: unknown;
  constructor?: { name?: string };
}

function asErrorLike(value: unknown): ErrorLike | undefined {
  return value && typeof value === "object" ? (value as ErrorLike) : undefined;
}

function causes(error: unknown): ErrorLike[] {
  const out: ErrorLike[] = [];
  let current = asErrorLike(error);
  while (current && out.length < 8) {
    out.push(current);
    current = asErrorLike(current.cause);
  }
  return out;
}

/** The provider's own message: the JSON error body's message, else the SDK message minus its "401 " prefix. */
function providerMessage(error: ErrorLike): string {
  // Ollama's ResponseError carries the body's "error" string itself.
  if (typeof error.error === "string" && error.error.trim()) return error.error.trim();
  const body = asErrorLike(error.error);
  if (body && typeof body.message === "string" && body.message.trim()) return body.message.trim();
  // Anthropic: { type: "error", error: { type, message } }.
  const nested = asErrorLike(body?.error);
  if (nested && typeof nested.message === "string" && nested.message.trim()) return nested.message.trim();
  const message = typeof error.message === "string" ? error.message : "";
  return message.replace(/^\d{3}\s+/, "").replace(/^status code \(no body\)$/, "").trim();
}

function retryAfterSeconds(error: ErrorLike): number | undefined {
  const headers = error.headers as { get?: (name: string) => string | null } | undefined;
  const raw = typeof headers?.get === "function" ? headers.get("retry-after") : undefined;
  if (!raw) return undefined;
  const seconds = Number(raw);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

function clip(text: string, max = 500): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export function classifyProviderError(error: unknown, ctx: ClassifyContext): NodeError {
  const scrub = (text: string) => redactSecrets(clip(text), ctx.secrets);
  const make = (code: ConstructorParameters<typeof NodeError>[0], message: string) => new NodeError(code, scrub(message), { cause: error });

  if (error instanceof NodeError) return error;
  if (ctx.timedOut) {
    return make("timeout", `The model did not finish within ${Math.round((ctx.timeoutMs ?? 0) / 1000)} s (provider "${ctx.providerName}").`);
  }
  if (ctx.signal?.aborted) return make("cancelled", "The model call was cancelled.");

  const chain = causes(error);
  const ssrf = findSsrfError(error);
  if (ssrf) return make("provider_bad_request", `Provider "${ctx.providerName}" cannot be reached: ${ssrf.message}`);

  const top = chain[0];
  const status = typeof top?.status === "number" ? top.status : typeof top?.status_code === "number" ? top.status_code : undefined;
  if (top && status !== undefined) {
    const said = providerMessage(top);
    const suffix = said ? `: ${said}` : ".";
    if (status === 401 || status === 403) return make("provider_auth", `The provider rejected the API key (${status})${suffix}`);
    if (status === 429) {
      const wait = retryAfterSeconds(top);
      const hint = wait !== undefined ? ` Retry after ${wait} s.` : "";
      const limited = make("provider_rate_limit", `The provider is rate limiting requests (429)${suffix}${hint}`);
      // The engine's retry waits as long as the provider asked (lib/engine/policy.ts).
      return wait !== undefined ? new NodeError(limited.code, limited.message, { cause: error, retryAfterMs: wait * 1000 }) : limited;
    }
    if (status >= 500) return make("provider_unavailable", `The provider failed (${status})${suffix}`);
    if (status === 408) return make("timeout", `The provider timed out the request (408)${suffix}`);
    return make("provider_bad_request", `The provider refused the request (${status})${suffix}`);
  }

  const names = chain.map((e) => (typeof e.name === "string" ? e.name : e.constructor?.name ?? ""));
  if (names.includes("TimeoutError") || names.includes("APIConnectionTimeoutError")) {
    return make("timeout", `The request to provider "${ctx.providerName}" timed out.`);
  }
  if (names.includes("AbortError") || names.includes("APIUserAbortError") || names.includes("ModelAbortError")) {
    return make("cancelled", "The model call was cancelled.");
  }

  const network = chain.find((e) => typeof e.code === "string" && NETWORK_CODES.has(e.code));
  const connectionLike = names.includes("APIConnectionError") || chain.some((e) => e.message === "terminated" || e.message === "fetch failed");
  if (network || connectionLike) {
    const detail = network && typeof network.message === "string" ? network.message : chain.map((e) => e.message).filter((m) => typeof m === "string").at(-1);
    return make("provider_unavailable", `Could not reach provider "${ctx.providerName}" at ${ctx.baseUrl}${detail ? `: ${String(detail)}` : "."}`);
  }

  const message = typeof top?.message === "string" ? top.message : String(error);
  return make("internal", `The model call failed unexpectedly: ${message}`);
}
