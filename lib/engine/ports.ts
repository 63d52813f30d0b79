import type { TokenUsage } from "./usage";

/** Ports through which node executors reach the outside world; the worker provides real ones. */

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

export interface ChatRequest {
  providerId: string;
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  maxTokens?: number;
  /** When set, the model is asked for a JSON object (response_format json_object). */
  json?: boolean;
  signal: AbortSignal;
  onToken?: (text: string) => void;
  /** The step's idempotency key, sent as the Idempotency-Key header so a re-executed step can be de-duplicated. */
  idempotencyKey?: string;
}

export interface ChatResponse {
  text: string;
  usage: TokenUsage;
  /** The model name the provider reports having used. */
  model: string;
  finishReason?: string;
}

/** One outbound HTTP exchange (HTTP node). The port owns SSRF checks, redirects and size limits. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Whole exchange, headers and body (ms). */
  timeoutMs: number;
  /** The response body is cut off (and the call failed) past this many bytes. */
  maxResponseBytes: number;
  signal: AbortSignal;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header names. */
  headers: Record<string, string>;
  /** The body decoded as UTF-8 text; the node parses JSON by content type. */
  body: string;
  /** The URL that answered, after redirects. */
  url: string;
}

/** One sandboxed JavaScript execution (Code node). */
export interface CodeRequest {
  code: string;
  inputs: Record<string, unknown>;
  /** CPU time budget inside the sandbox (ms). */
  timeoutMs: number;
  memoryMb: number;
  maxOutputBytes: number;
  signal: AbortSignal;
}

export interface CodeResponse {
  /** What the user's function returned: a JSON object. */
  result: Record<string, unknown>;
  /** console.log lines, capped. */
  logs: string[];
  durationMs: number;
}

export interface EngineServices {
  chat: (request: ChatRequest) => Promise<ChatResponse>;
  /** Optional so existing callers and tests need not provide it; the HTTP node fails clearly without it. */
  http?: (request: HttpRequest) => Promise<HttpResponse>;
  /** Optional for the same reason; the Code node fails clearly without it. */
  runCode?: (request: CodeRequest) => Promise<CodeResponse>;
}
