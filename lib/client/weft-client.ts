import type { z } from "zod";
import type { ApiTool, OpenApiImportRequest, OpenApiImportResult, RegisterToolRequest } from "@/lib/tools/api-schemas";
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

  private async send(method: string, path: string, body?: unknown, options: { signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<Response> {
    const request = new Request(`${this.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.apiKey}`,
        accept: "application/json, text/event-stream",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
        ...options.headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: options.signal,
    });
    const response = await this.doFetch(request);
    if (!response.ok) throw await toApiError(response);
    return response;
  }
}

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
