import type { TokenUsage } from "./usage";

/** Ports through which node executors reach the outside world; the worker provides real ones. */

/** A function call the model asked for (OpenAI tool_calls / Anthropic tool_use). */
export interface ToolCall {
  id: string;
  name: string;
  args: Record<string, unknown>;
}

/** A message of a chat; the assistant may call tools and `tool` messages carry their results back. */
export type ChatMessage =
  | { role: "system" | "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: ToolCall[] }
  | { role: "tool"; toolCallId: string; content: string };

/** A tool offered to the model: the name it calls and the JSON Schema of its arguments. */
export interface ChatToolSpec {
  name: string;
  description: string;
  /** JSON Schema (type "object") of the arguments. */
  parameters: Record<string, unknown>;
}

/** Cost of model calls by currency code, e.g. { USD: 0.0012 }. */
export type Cost = Record<string, number>;

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
  /** Tools the model may call; the response then may carry `toolCalls` instead of (or with) text. */
  tools?: ChatToolSpec[];
  /** "auto" (default when tools are given), "required" (must call one), "none". */
  toolChoice?: "auto" | "required" | "none";
}

export interface ChatResponse {
  text: string;
  usage: TokenUsage;
  /** The model name the provider reports having used. */
  model: string;
  finishReason?: string;
  /** Tool calls the model asked for (empty or absent when it answered with text). */
  toolCalls?: ToolCall[];
  /** Cost of this call from the model's price table; absent when the price is unknown. */
  cost?: Cost;
  /** Which provider answered (differs from the request when a model alias fell back to a later model). */
  providerId?: string;
  /** Every model tried for this call, in order (more than one when a model alias fell back). */
  attempts?: ChatAttempt[];
}

/** One try of a model call: which model, and why it did not answer when it failed. */
export interface ChatAttempt {
  providerId: string;
  model: string;
  ok: boolean;
  error?: { code: string; message: string };
  durationMs: number;
}

/** A registered tool as the Agent and Tool nodes see it (lib/tools implements the port). */
export interface ToolDescriptor {
  id: string;
  /** Unique per workspace, [A-Za-z0-9_-]{1,64}: the function name the model sees. */
  name: string;
  description: string;
  kind: string;
  /** JSON Schema (type "object") of the input. */
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  /** Each call needs a person's approval first (an MCP tool's per-tool setting): the Tool node waits for it (the run parks); an Agent holds the wait on its running step. */
  requiresApproval?: boolean;
}

export interface ToolInvocation {
  toolId: string;
  input: Record<string, unknown>;
  signal: AbortSignal;
  /** `${runId}:${nodeId}:${iteration}:${callIndex}`: sent as Idempotency-Key by tools that make HTTP calls. */
  idempotencyKey: string;
  /** Progress the tool reports while it runs (MCP `notifications/progress`), for a live view. */
  onProgress?: (progress: ToolProgress) => void;
  /**
   * The step making the call (absent from the tool console): an MCP server's sampling is counted
   * against the source's per-run budget, and its elicitation becomes a wait held on this step.
   * `slot` tells calls of one step apart (an Agent's call index).
   */
  step?: ToolCallStep;
}

/** Where a tool call is made from in a run. */
export interface ToolCallStep {
  runId: string;
  nodeId: string;
  iteration: number;
  slot: string;
}

/** One progress report of a running tool call. */
export interface ToolProgress {
  progress: number;
  total?: number;
  message?: string;
}

export interface ToolResult {
  /** What the tool returned (JSON). */
  output: unknown;
  /** Trace for the step and the tool console: request and response summaries (secrets redacted). */
  detail?: Record<string, unknown>;
  durationMs: number;
  /** Model use the call caused (an MCP server's sampling requests), added to the step's usage and cost. */
  usage?: TokenUsage;
  cost?: Cost;
}

/**
 * The workspace's tool registry. `describe` fails with NodeError("tool_not_found") naming missing ids;
 * `call` validates the input against the tool's schema and throws NodeError("tool_error", …) (retryable
 * for 429/5xx/network) on failure.
 */
export interface ToolPort {
  describe(toolIds: string[]): Promise<ToolDescriptor[]>;
  call(invocation: ToolInvocation): Promise<ToolResult>;
}

/**
 * Workspace secrets as a run sees them (lib/secrets/service.ts implements it). `resolve` fails with
 * NodeError("secret_not_found"); `redact` replaces every value resolved so far in the run with
 * "[redacted]", so nodes apply it to whatever they record.
 */
export interface SecretPort {
  resolve(name: string): Promise<string>;
  redact<T>(value: T): T;
  /**
   * Throws NodeError("secret_denied") when the hop carries a secret resolved in this run to a host
   * outside that secret's allowed hosts. HTTP clients call it before every hop (redirects included).
   */
  checkEgress(hop: OutboundHop): void;
}

/** One request about to be sent (each redirect is a new hop): what a secret-host check looks at. */
export interface OutboundHop {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string | Uint8Array<ArrayBuffer>;
}

/** One outbound HTTP exchange (HTTP node). The port owns SSRF checks, redirects and size limits. */
export interface HttpRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Text, or bytes for binary and multipart bodies (OpenAPI tools). */
  body?: string | Uint8Array<ArrayBuffer>;
  /** Whole exchange, headers and body (ms). */
  timeoutMs: number;
  /** The response body is cut off (and the call failed) past this many bytes. */
  maxResponseBytes: number;
  signal: AbortSignal;
  /** Called before every hop is sent (the first and each redirect); throwing stops the exchange unsent. */
  beforeSend?: (hop: OutboundHop) => void | Promise<void>;
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

/** What a Sub-workflow step asks for: the child run of (parent run, node, iteration), created once. */
export interface SubworkflowStart {
  workflowId: string;
  /** A published version number; undefined = the latest published version. */
  version?: number;
  inputs: Record<string, unknown>;
  parentRunId: string;
  parentNodeId: string;
  parentIteration: number;
}

/** The child run as it stands: new, still going, or already finished (then with its outcome). */
export interface SubworkflowRun {
  childRunId: string;
  workflowName: string;
  version: number;
  status: "queued" | "running" | "waiting" | "succeeded" | "failed" | "cancelled";
  output?: Record<string, unknown> | null;
  error?: { code: string; message: string } | null;
}

/**
 * Child runs of published workflows (lib/runs/subworkflows.ts). `start` is idempotent per
 * (parent run, node, iteration); it fails with NodeError("limit_exceeded") past
 * LIMITS.maxSubworkflowDepth and NodeError("subworkflow_error") when the workflow, version or inputs do not fit.
 */
export interface SubworkflowPort {
  start(request: SubworkflowStart): Promise<SubworkflowRun>;
}

/** A knowledge base as the Knowledge node and the Agent see it. */
export interface KnowledgeBaseInfo {
  id: string;
  name: string;
  description: string;
}

export interface KnowledgeSearch {
  knowledgeBaseIds: string[];
  query: string;
  mode: "hybrid" | "vector" | "keyword";
  topK: number;
  /** Chunks scoring below it (0..1) are left out. */
  scoreThreshold?: number;
  /** Every key must equal its value (document or chunk tags). */
  filter?: Record<string, string>;
  /** A rerank model applied to the candidates after retrieval (its scores replace the search scores). */
  rerank?: { providerId: string; model: string };
  signal: AbortSignal;
}

/** One retrieved chunk with its source; `citation` is its number ([1], [2], …) in `context`. */
export interface KnowledgeChunk {
  chunkId: string;
  knowledgeBaseId: string;
  documentId: string;
  documentName: string;
  text: string;
  score: number;
  page: number | null;
  section: string | null;
  citation: number;
}

/** What a search's rerank call used (recorded on the step: usage and `detail.cost`). */
export interface RerankUsage {
  providerId: string;
  model: string;
  /** How many candidates were sent to the model. */
  candidates: number;
  /** Tokens the provider reported, or estimated from the texts' length when it reports none (`estimated`). */
  tokens: number;
  estimated?: true;
  /** Cohere's billing unit (one query with up to 100 documents), when the reply gives it. */
  searchUnits?: number;
  /** Undefined when the model has no price. */
  cost?: Cost;
}

export interface KnowledgeSearchResult {
  chunks: KnowledgeChunk[];
  /** The chunks as numbered citations, ready for a prompt. */
  context: string;
  /** Present when the search was reranked. */
  rerank?: RerankUsage;
}

/**
 * The workspace's knowledge bases (lib/knowledge/port.ts). Both methods fail with
 * NodeError("knowledge_not_found") naming ids that are not knowledge bases of the run's workspace
 * (deleted, or another workspace's); `search` fails with provider errors of the embedding model.
 */
export interface KnowledgePort {
  describe(knowledgeBaseIds: string[]): Promise<KnowledgeBaseInfo[]>;
  search(request: KnowledgeSearch): Promise<KnowledgeSearchResult>;
}

export interface EngineServices {
  chat: (request: ChatRequest) => Promise<ChatResponse>;
  /** Optional so existing callers and tests need not provide it; the HTTP node fails clearly without it. */
  http?: (request: HttpRequest) => Promise<HttpResponse>;
  /** Optional for the same reason; the Code node fails clearly without it. */
  runCode?: (request: CodeRequest) => Promise<CodeResponse>;
  /** The workspace's tools (Agent and Tool nodes); optional, those nodes fail clearly without it. */
  tools?: ToolPort;
  /** Child runs for the Sub-workflow node; optional, that node fails clearly without it. */
  subworkflows?: SubworkflowPort;
  /** The workspace's knowledge bases (Knowledge node, Agent knowledge tools); optional, those fail clearly without it. */
  knowledge?: KnowledgePort;
  /** The workspace's secrets for this run (`{{ secrets.NAME }}` in HTTP headers, tool auth); optional. */
  secrets?: SecretPort;
  /** The summary cache of conversation memory ("summarised"); optional: without it summaries are made but not kept. */
  memory?: MemoryPort;
  /** Waits held open inside a running step (an Agent's tool approval); optional, such calls are refused without it. */
  heldWaits?: HeldWaitPort;
}

/** A summary of conversation history that fell out of a node's memory, up to and including message `through`. */
export interface MemorySummary {
  through: string;
  summary: string;
}

/**
 * Where summaries of dropped history are kept between turns: with the chat conversation the
 * history's messages belong to (`messageIds`), per node. Both calls are no-ops (load: null) when
 * the messages are not one conversation of the run's own chat turn.
 */
export interface MemoryPort {
  load(request: { nodeId: string; messageIds: string[] }): Promise<MemorySummary | null>;
  save(request: { nodeId: string; messageIds: string[] }, summary: MemorySummary): Promise<void>;
}

/** A person's approval or answer asked for while the step keeps running (its worker and open connections stay). */
export interface HeldWaitRequest {
  step: ToolCallStep;
  kind: "approval" | "question";
  /** The Approval/Question request shape (lib/nodes/approval, lib/nodes/question). */
  request: Record<string, unknown>;
  /** How long to wait; then the wait resolves as `timed_out`. */
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * Held waits (lib/runs/held-waits.ts): a RunWait row in the step's slot, shown in the Inbox and on
 * the run page like any wait and answered through the same routes, while the step stays running.
 * Resolves with how the wait ended; rejects only when the signal aborts (NodeError "cancelled").
 */
export interface HeldWaitPort {
  hold(request: HeldWaitRequest): Promise<{ status: "answered" | "timed_out" | "cancelled"; response: unknown; at: string }>;
}
