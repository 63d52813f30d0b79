import type { z } from "zod";
import type { ApiTool, OpenApiImportRequest, OpenApiImportResult, RegisterToolRequest } from "@/lib/tools/api-schemas";
import type { ApiKnowledgeBase, ApiKnowledgeDocument, ApiKnowledgeQueryResult } from "@/lib/knowledge/api-schemas";
import type { CreateKnowledgeBaseSchema, UpdateKnowledgeBaseSchema } from "@/lib/knowledge/service";
import type { AddTextDocumentSchema, AddUrlDocumentSchema } from "@/lib/knowledge/document-service";
import type { KnowledgeQuery } from "@/lib/knowledge/retrieve";
import type {
  AnswerWaitRequest,
  AnswerWaitResult,
  CancelRunResult,
  ImportedWorkflow,
  ImportWorkflowRequest,
  ListRunsRequest,
  PublishedWorkflowSchema,
  RunList,
  RunAcceptedSchema,
  RunView,
  RunWaitView,
  StartRunRequest,
  StreamEvent,
} from "@/lib/api/schemas";

/**
 * A small typed client for Weft's public API (/api/v1). Types come from the same zod schemas the
 * server validates with. Works wherever `fetch` and web streams exist (Node ≥ 18, browsers, edge).
 *
 *   const weft = new WeftClient({ baseUrl: "https://weft.example.com", apiKey: process.env.WEFT_API_KEY! });
 *   const run = await weft.runSync(workflowId, { inputs: { question: "hi" } });
 *   for await (const event of weft.streamRun(workflowId, { inputs })) console.log(event.type);
 */

export type PublishedWorkflow = z.infer<typeof PublishedWorkflowSchema>;
export type RunAccepted = z.infer<typeof RunAcceptedSchema>;
export type { AnswerWaitRequest, AnswerWaitResult, CancelRunResult, ListRunsRequest, RunList, RunView, RunWaitView, StartRunRequest, StreamEvent };

/** A stream event together with its SSE id (pass it as `lastEventId` to resume). */
export type { ApiTool, OpenApiImportRequest, OpenApiImportResult, RegisterToolRequest };

export type StreamedEvent = StreamEvent & { id: string | null };

export type { ApiKnowledgeBase, ApiKnowledgeDocument, ApiKnowledgeQueryResult, KnowledgeQuery };
export type CreateKnowledgeBaseRequest = z.input<typeof CreateKnowledgeBaseSchema>;
export type UpdateKnowledgeBaseRequest = z.input<typeof UpdateKnowledgeBaseSchema>;
export type AddTextDocumentRequest = z.input<typeof AddTextDocumentSchema>;
export type AddUrlDocumentRequest = z.input<typeof AddUrlDocumentSchema>;
/** A file to upload: its bytes (streamed when a ReadableStream) and how to name and tag it. */
export interface UploadDocumentOptions {
  name: string;
  /** Its MIME type; the extension of `name` decides when omitted. */
  contentType?: string;
  metadata?: Record<string, string | number | boolean>;
}

const DOCUMENT_DONE = new Set(["indexed", "failed"]);

export interface WeftClientOptions {
  baseUrl: string;
  apiKey: string;
  /** Defaults to the global fetch; tests pass one that calls route handlers directly. */
  fetch?: (request: Request) => Promise<Response>;
}

/** A non-2xx answer: `status`, the API's error `code`, its `message` and the whole error `body`. */
export class WeftApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: unknown;
  constructor(status: number, code: string, message: string, body: unknown) {
    super(message);
    this.name = "WeftApiError";
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

type RunBody = Omit<StartRunRequest, "mode">;

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

export class WeftClient {
  private readonly baseUrl: string;
  private readonly apiKey: string;
  private readonly doFetch: (request: Request) => Promise<Response>;

  constructor(options: WeftClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
    this.apiKey = options.apiKey;
    this.doFetch = options.fetch ?? ((request) => fetch(request));
  }

  /** Published workflows with their latest version and input schema. */
  async listWorkflows(): Promise<PublishedWorkflow[]> {
    const body = await this.json<{ workflows: PublishedWorkflow[] }>("GET", "/api/v1/workflows");
    return body.workflows;
  }

  /** Starts a run and returns at once (mode async): `{ runId, status: "queued" }`. */
  async startRun(workflowId: string, body: RunBody = {}): Promise<RunAccepted> {
    return this.json<RunAccepted>("POST", `/api/v1/workflows/${encodeURIComponent(workflowId)}/runs`, { ...body, mode: "async" });
  }

  /**
   * Starts a run and waits for it (mode sync): the finished run, or `{ runId, status }` when it
   * did not finish within `timeoutMs` (then follow it with getRun or streamRunEvents).
   */
  async runSync(workflowId: string, body: RunBody = {}): Promise<RunView | RunAccepted> {
    return this.json<RunView | RunAccepted>("POST", `/api/v1/workflows/${encodeURIComponent(workflowId)}/runs`, { ...body, mode: "sync" });
  }

  /** Starts a run and yields its events (mode stream): snapshot, step/delta/run events, ending with a terminal run event. */
  async *streamRun(workflowId: string, body: RunBody = {}, options: { signal?: AbortSignal } = {}): AsyncGenerator<StreamedEvent> {
    const response = await this.send("POST", `/api/v1/workflows/${encodeURIComponent(workflowId)}/runs`, { ...body, mode: "stream" }, options);
    yield* readEventStream(response);
  }

  /** Follows an existing run's events; `lastEventId` resumes after a dropped connection (fresh snapshot, then live). */
  async *streamRunEvents(runId: string, options: { lastEventId?: string; signal?: AbortSignal } = {}): AsyncGenerator<StreamedEvent> {
    const headers = options.lastEventId ? { "Last-Event-ID": options.lastEventId } : undefined;
    const response = await this.send("GET", `/api/v1/runs/${encodeURIComponent(runId)}/events`, undefined, { signal: options.signal, headers });
    yield* readEventStream(response);
  }

  /** Imports a workflow file (as exported from the editor) as a new draft (scope workflows:write). */
  async importWorkflow(body: ImportWorkflowRequest): Promise<ImportedWorkflow> {
    return this.json<ImportedWorkflow>("POST", "/api/v1/workflows/import", body);
  }

  /** The workspace's tools (scope tools:read). */
  async listTools(): Promise<ApiTool[]> {
    return (await this.json<{ tools: ApiTool[] }>("GET", "/api/v1/tools")).tools;
  }

  /** Registers an http or code tool (scope tools:write). */
  async registerTool(body: RegisterToolRequest): Promise<ApiTool> {
    return this.json<ApiTool>("POST", "/api/v1/tools", body);
  }

  /** Imports operations of an OpenAPI 3.x / Swagger 2.0 document as tools (scope tools:write). */
  async importOpenApiTools(body: OpenApiImportRequest): Promise<OpenApiImportResult> {
    return this.json<OpenApiImportResult>("POST", "/api/v1/tools/openapi", body);
  }

  /** The workspace's knowledge bases (scope knowledge:read). */
  async listKnowledgeBases(): Promise<ApiKnowledgeBase[]> {
    return (await this.json<{ knowledgeBases: ApiKnowledgeBase[] }>("GET", "/api/v1/knowledge-bases")).knowledgeBases;
  }

  /** Creates a knowledge base (scope knowledge:write; the key's creator must be a developer or above). */
  async createKnowledgeBase(body: CreateKnowledgeBaseRequest): Promise<ApiKnowledgeBase> {
    return this.json<ApiKnowledgeBase>("POST", "/api/v1/knowledge-bases", body);
  }

  async getKnowledgeBase(id: string): Promise<ApiKnowledgeBase> {
    return this.json<ApiKnowledgeBase>("GET", kbPath(id));
  }

  /**
   * Renames it or changes its embedding model / chunking (scope knowledge:write; creator a developer
   * or above). New index settings start a re-index: `reindex` is set until the new index serves.
   */
  async updateKnowledgeBase(id: string, body: UpdateKnowledgeBaseRequest): Promise<ApiKnowledgeBase> {
    return this.json<ApiKnowledgeBase>("PATCH", kbPath(id), body);
  }

  /** Deletes a knowledge base with its documents and chunks (scope knowledge:write; creator a developer or above). */
  async deleteKnowledgeBase(id: string): Promise<void> {
    await this.send("DELETE", kbPath(id));
  }

  /** Documents of a knowledge base with their status and progress (scope knowledge:read). */
  async listDocuments(knowledgeBaseId: string): Promise<ApiKnowledgeDocument[]> {
    return (await this.json<{ documents: ApiKnowledgeDocument[] }>("GET", `${kbPath(knowledgeBaseId)}/documents`)).documents;
  }

  /** Uploads a file as the raw body (scope knowledge:write); a refused file comes back `failed` with the reason. */
  async uploadDocument(knowledgeBaseId: string, file: Blob | Uint8Array | ReadableStream<Uint8Array>, options: UploadDocumentOptions): Promise<ApiKnowledgeDocument> {
    const query = new URLSearchParams({ name: options.name });
    if (options.metadata) query.set("metadata", JSON.stringify(options.metadata));
    const response = await this.send("POST", `${kbPath(knowledgeBaseId)}/documents?${query}`, undefined, {
      raw: file as BodyInit,
      headers: { "content-type": options.contentType ?? "application/octet-stream" },
    });
    return (await response.json()) as ApiKnowledgeDocument;
  }

  /** Adds pasted text as a document (Markdown by default). */
  async addTextDocument(knowledgeBaseId: string, body: AddTextDocumentRequest): Promise<ApiKnowledgeDocument> {
    return this.json<ApiKnowledgeDocument>("POST", `${kbPath(knowledgeBaseId)}/documents`, body);
  }

  /** Adds a web page or file by URL; the worker fetches it through the workspace's network policy. */
  async addUrlDocument(knowledgeBaseId: string, body: AddUrlDocumentRequest): Promise<ApiKnowledgeDocument> {
    return this.json<ApiKnowledgeDocument>("POST", `${kbPath(knowledgeBaseId)}/documents`, body);
  }

  /** A document's status: queued → parsing → chunking → embedding → indexed (or failed with `error`), with counts. */
  async getDocument(knowledgeBaseId: string, documentId: string): Promise<ApiKnowledgeDocument> {
    return this.json<ApiKnowledgeDocument>("GET", `${kbPath(knowledgeBaseId)}/documents/${encodeURIComponent(documentId)}`);
  }

  /** Polls a document until it is indexed or failed (or `timeoutMs` passes: then its latest state). */
  async waitForDocument(knowledgeBaseId: string, documentId: string, options: { intervalMs?: number; timeoutMs?: number } = {}): Promise<ApiKnowledgeDocument> {
    const deadline = Date.now() + (options.timeoutMs ?? 120_000);
    for (;;) {
      const doc = await this.getDocument(knowledgeBaseId, documentId);
      if (DOCUMENT_DONE.has(doc.status) || Date.now() >= deadline) return doc;
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 1_000));
    }
  }

  /** Deletes a document; its chunks leave retrieval at once (scope knowledge:write). */
  async deleteDocument(knowledgeBaseId: string, documentId: string): Promise<void> {
    await this.send("DELETE", `${kbPath(knowledgeBaseId)}/documents/${encodeURIComponent(documentId)}`);
  }

  /** Retrieval: ranked chunks with scores and sources and a numbered-citation `context` (scope knowledge:read). */
  async queryKnowledgeBase(knowledgeBaseId: string, query: KnowledgeQuery): Promise<ApiKnowledgeQueryResult> {
    return this.json<ApiKnowledgeQueryResult>("POST", `${kbPath(knowledgeBaseId)}/query`, query);
  }

  /**
   * One page of the workspace's runs, newest first, filtered and searched like the runs page
   * (`q`, workflowId, version, status, initiator, trigger, from/to, duration, cost). Pass
   * `nextCursor` back as `cursor` with the same filters for the next page.
   */
  async listRuns(query: ListRunsRequest = {}): Promise<RunList> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== null) params.set(key, String(value));
    const text = params.toString();
    return this.json<RunList>("GET", `/api/v1/runs${text ? `?${text}` : ""}`);
  }

  async getRun(runId: string): Promise<RunView> {
    return this.json<RunView>("GET", `/api/v1/runs/${encodeURIComponent(runId)}`);
  }

  /** Cancels a queued, running or waiting run (409 `conflict` when it has already finished). */
  async cancelRun(runId: string): Promise<CancelRunResult> {
    return this.json<CancelRunResult>("POST", `/api/v1/runs/${encodeURIComponent(runId)}/cancel`, {});
  }

  /**
   * Answers a pending approval (`{ decision: "approve" | "reject", comment? }`) or question (its
   * fields) of a waiting run; the wait ids are in `getRun(runId).waits`. 400 when the answer does
   * not fit, 409 when it was already answered. Needs the `waits:answer` scope.
   */
  async answerWait(runId: string, waitId: string, answer: AnswerWaitRequest): Promise<AnswerWaitResult> {
    return this.json<AnswerWaitResult>("POST", `/api/v1/runs/${encodeURIComponent(runId)}/waits/${encodeURIComponent(waitId)}/answer`, answer);
  }

  /** The run's pending waits (approvals and questions to answer, sub-workflows running). */
  async pendingWaits(runId: string): Promise<RunWaitView[]> {
    return (await this.getRun(runId)).waits.filter((w) => w.status === "pending");
  }

  /** Whether a runSync answer is the finished run rather than the still-running acknowledgement. */
  static isFinished(result: RunView | RunAccepted): result is RunView {
    return "id" in result && TERMINAL.has(result.status);
  }

  private async json<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.send(method, path, body);
    return (await response.json()) as T;
  }

  /** `body` is sent as JSON; `options.raw` as is (file uploads, streamed when it is a stream). */
  private async send(method: string, path: string, body?: unknown, options: { signal?: AbortSignal; headers?: Record<string, string>; raw?: BodyInit } = {}): Promise<Response> {
    const request = new Request(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        accept: "application/json, text/event-stream",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...options.headers,
      },
      body: options.raw ?? (body === undefined ? undefined : JSON.stringify(body)),
      signal: options.signal,
      // Needed by Node's fetch to send a stream body.
      ...(options.raw instanceof ReadableStream ? { duplex: "half" } : {}),
    } as RequestInit);
    const response = await this.doFetch(request);
    if (!response.ok) throw await toApiError(response);
    return response;
  }
}

const kbPath = (id: string) => `/api/v1/knowledge-bases/${encodeURIComponent(id)}`;

async function toApiError(response: Response): Promise<WeftApiError> {
  const text = await response.text().catch(() => "");
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page): keep the text.
  }
  const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  const code = typeof error?.code === "string" ? error.code : `http_${response.status}`;
  const message = typeof error?.message === "string" ? error.message : `HTTP ${response.status} ${response.statusText}`.trim();
  return new WeftApiError(response.status, code, message, body);
}

/** Parses a text/event-stream body into events (`id:`, `event:`, multi-line `data:`; comments skipped). */
export async function* readEventStream(response: Response): AsyncGenerator<StreamedEvent> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, "\n");
      let boundary: number;
      while ((boundary = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, boundary);
        buffer = buffer.slice(boundary + 2);
        let id: string | null = null;
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const fieldValue = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "id") id = fieldValue;
          else if (field === "data") data.push(fieldValue);
        }
        if (data.length === 0) continue;
        const event = JSON.parse(data.join("\n")) as StreamEvent;
        yield { ...event, id };
      }
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}
