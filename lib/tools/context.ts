import type { Db } from "@/lib/db/client";
import type { CodeRequest, CodeResponse, SecretPort } from "@/lib/engine/ports";
import type { ChatRequest, ChatResponse, Cost, HeldWaitPort, HttpRequest, HttpResponse, ToolCallStep, ToolProgress } from "@/lib/engine/ports";
import type { TokenUsage } from "@/lib/engine/usage";
import type { ToolKind } from "./schema";

/** The guarded HTTP client of tools: the HTTP node's client with the workspace's network allow-list. */
export type HttpPort = (request: HttpRequest) => Promise<HttpResponse>;

/** A tool row as the callers need it. */
export interface ToolRow {
  id: string;
  workspaceId: string;
  kind: string;
  name: string;
  description: string;
  inputSchema: unknown;
  outputSchema: unknown;
  config: unknown;
  sourceId: string | null;
  ownerId: string | null;
  enabled: boolean;
  version: number;
}

/** Everything one call of one tool may use; built by the ToolPort per call. */
export interface ToolCallContext {
  db: Db;
  workspaceId: string;
  tool: ToolRow;
  input: Record<string, unknown>;
  signal: AbortSignal;
  idempotencyKey: string;
  secrets: SecretPort;
  /** The guarded client with this workspace's allow-list. */
  http: HttpPort;
  runCode?: (request: CodeRequest) => Promise<CodeResponse>;
  /** WEFT_ALLOW_PRIVATE_NETWORK (MCP over HTTP adds the workspace allow-list itself). */
  allowPrivate: boolean;
  /** Where a kind that reports progress (MCP) sends it. */
  onProgress?: (progress: ToolProgress) => void;
  /** The workspace's chat service (MCP sampling). */
  chat?: (request: ChatRequest) => Promise<ChatResponse>;
  /** Waits held on the calling step (MCP elicitation); absent from the console. */
  heldWaits?: HeldWaitPort;
  step?: ToolCallStep;
}

/** What a kind's caller hands back: the output and a trace (request/response summaries), and model use it caused. */
export interface ToolCallOutcome {
  output: unknown;
  detail?: Record<string, unknown>;
  usage?: TokenUsage;
  cost?: Cost;
}

export type ToolCaller = (ctx: ToolCallContext) => Promise<ToolCallOutcome>;
export type ToolCallers = Record<ToolKind, ToolCaller>;
