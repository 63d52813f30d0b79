import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { FetchLike } from "@/lib/net/guarded-fetch";

/** What every wire needs to build a LangChain chat model for one call. */
export interface ChatModelParams {
  baseUrl: string;
  /** Decrypted key; undefined for endpoints that need none (never taken from the environment). */
  apiKey?: string;
  model: string;
  temperature?: number;
  maxTokens?: number;
  /** Per-request timeout of the HTTP client, in milliseconds. */
  timeoutMs?: number;
  /** Whether loopback/private addresses may be reached (see lib/net/ssrf.ts). */
  allowPrivateNetwork: boolean;
  /** The workspace's network allow-list: private hosts and networks this model's endpoint may be on. */
  allowList?: readonly string[];
  /** Overrides the guarded fetch (tests only). */
  fetch?: FetchLike;
  /** Extra headers on every request of this model (e.g. the step's Idempotency-Key). */
  headers?: Record<string, string>;
  /** The call's signal, for clients that do not pass their own through to fetch. */
  signal?: AbortSignal;
  /** Ask for a JSON object (wires that set this at construction, like Ollama's `format`, use it here). */
  json?: boolean;
}

export type ToolChoice = "auto" | "required" | "none";

/** A built model plus the few things that differ per wire when calling it. */
export interface ChatModelHandle {
  model: BaseChatModel;
  /** The requested model name (reported back when the provider names none). */
  modelName: string;
  /** Call options that ask for a JSON object on this wire ({} when the wire has no per-call switch). */
  jsonCallOptions: Record<string, unknown>;
  /** This wire's spelling of a tool choice; undefined leaves it to the provider's default. */
  toolChoice(choice: ToolChoice): string | undefined;
  /** Whether tools must be left out entirely for "none" (wires without a tool_choice switch). */
  omitToolsForNone: boolean;
}
