import { z } from "zod";
import { ApprovalAnswerSchema } from "@/lib/nodes/approval/definition";
import { API_SCOPE_LABELS, API_SCOPES, type ApiScope } from "@/lib/api-keys/scopes";
import {
  AnswerWaitRequestSchema,
  AnswerWaitResultSchema,
  ApiErrorSchema,
  CancelRunResultSchema,
  DEFAULT_SYNC_TIMEOUT_MS,
  ImportWorkflowRequestSchema,
  ImportedWorkflowSchema,
  MAX_SYNC_TIMEOUT_MS,
  ListRunsRequestSchema,
  RunAcceptedSchema,
  RunListSchema,
  RunSchema,
  StartRunRequestSchema,
  StreamEventSchema,
  WorkflowListSchema,
  apiSchemas,
} from "./schemas";
import { OpenApiImportRequestSchema, OpenApiImportResultSchema, RegisterToolRequestSchema, ToolListSchema, ApiToolSchema } from "@/lib/tools/api-schemas";
import { knowledgePaths, KNOWLEDGE_REQUEST_IDS } from "./openapi-knowledge";
import { openAiPaths, OPENAI_REQUEST_IDS } from "./openapi-openai";
import { hookPaths } from "./openapi-hooks";

/**
 * The OpenAPI 3.1 document of /api/v1 (and of the webhook trigger /api/hooks/{id}), built from the same zod schemas the routes validate with
 * (zod 4's JSON Schema output is draft 2020-12, which is what OpenAPI 3.1 uses). Served at
 * /api/v1/openapi.json and rendered at /api-docs.
 */

type JsonObject = Record<string, unknown>;

export interface OpenApiOperation {
  operationId: string;
  summary: string;
  description?: string;
  tags: string[];
  /** `{}` among them: no credential needed (the webhook route, whose hook decides). */
  security: { bearer?: [] }[];
  "x-weft-scope"?: ApiScope;
  parameters?: { name: string; in: "path" | "header" | "query"; required: boolean; description: string; schema: JsonObject; style?: "form"; explode?: boolean }[];
  requestBody?: { required: boolean; content: Record<string, { schema: JsonObject }> };
  responses: Record<string, { description: string; headers?: JsonObject; content?: Record<string, { schema: JsonObject }> }>;
}

export interface OpenApiDocument {
  openapi: "3.1.0";
  info: { title: string; version: string; description: string };
  servers: { url: string }[];
  tags: { name: string; description: string }[];
  paths: Record<string, Partial<Record<"get" | "post" | "patch" | "delete", OpenApiOperation>>>;
  components: { schemas: Record<string, JsonObject>; securitySchemes: JsonObject };
}

export const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });
export const idOf = (schema: z.ZodType) => {
  const meta = apiSchemas.get(schema);
  if (!meta) throw new Error("schema is not registered in apiSchemas");
  return meta.id;
};
export const json = (schema: z.ZodType) => ({ "application/json": { schema: ref(idOf(schema)) } });
export const errorResponse = (description: string) => ({ description, content: json(ApiErrorSchema) });
const sse = { "text/event-stream": { schema: { ...ref(idOf(StreamEventSchema)), description: "Each SSE `data:` line is one StreamEvent as JSON." } } };

export const idParam = (what: string) => ({ name: "id", in: "path" as const, required: true, description: `The ${what} id`, schema: { type: "string" } });
const lastEventIdParam = {
  name: "Last-Event-ID",
  in: "header" as const,
  required: false,
  description: "Sent by EventSource on reconnect: the stream restarts from a fresh snapshot and its ids continue after this one.",
  schema: { type: "string" },
};

function authErrors(scope: ApiScope) {
  return {
    "401": errorResponse("No API key, a malformed one, an unknown or revoked key, or a key disabled because its creator left the workspace (code unauthorized)."),
    "403": errorResponse(`The key lacks the ${scope} scope, or its creator's current role no longer allows what the scope grants: a key acts with the lesser of the two (code forbidden).`),
  };
}

export function operation(scope: ApiScope, op: Omit<OpenApiOperation, "security" | "x-weft-scope">): OpenApiOperation {
  return {
    ...op,
    description: [op.description, `Needs an API key with the \`${scope}\` scope.`].filter(Boolean).join("\n\n"),
    security: [{ bearer: [] }],
    "x-weft-scope": scope,
    responses: { ...op.responses, ...authErrors(scope) },
  };
}

const STREAM_SEMANTICS = [
  "**Streams** (`mode: \"stream\"` and `GET /runs/{id}/events`) are Server-Sent Events. The first event is `snapshot` (the run and its steps from the database),",
  "then live `step`, `delta` (streamed LLM text) and `run` events; the last event is always a terminal `run` event (succeeded, failed or cancelled) and the stream closes.",
  "Every event has an `id:`. On reconnect, send `Last-Event-ID` (EventSource does this itself): the stream starts again with a fresh snapshot, which contains the current state of every step,",
  "so nothing that happened while disconnected is lost; ids continue after the one you sent. A running LLM step's snapshot carries `partialText` (the text streamed so far), which later `delta` events continue.",
].join(" ");

const WAITS = [
  "**Waiting runs.** A run that reaches a Human approval or Question node gets the status `waiting` (it holds no worker meanwhile).",
  "`GET /runs/{id}` lists its `waits`; answer a pending one with `POST /runs/{id}/waits/{waitId}/answer` (a key with the `waits:answer` scope;",
  "an approval that requires a role is decided only by keys whose creator has that role). The run then continues.",
  "A wait with a timeout resolves by itself when it expires (approval: the node's chosen branch; question: the field defaults).",
].join(" ");

const TODO = "**Not yet in v1** (planned): listing waiting runs; paging of `GET /workflows`. Unknown paths under /api/v1 answer 404 in the error shape.";

/** Query parameters from a zod object: one per key, its JSON Schema and description. */
function queryParams(schema: z.ZodObject): NonNullable<OpenApiOperation["parameters"]> {
  return Object.entries(schema.shape).map(([name, field]) => {
    const { description, ...json } = z.toJSONSchema(field as z.ZodType, { io: "input", unrepresentable: "any" }) as JsonObject;
    delete json.$schema;
    return { name, in: "query" as const, required: false, description: typeof description === "string" ? description : "", schema: json };
  });
}

/** Drops `additionalProperties: false` everywhere inside a response schema. */
function openObjects(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(openObjects);
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value).filter(([key, v]) => !(key === "additionalProperties" && v === false));
  return Object.fromEntries(entries.map(([key, v]) => [key, openObjects(v)]));
}

/**
 * A request schema's `default`s moved into the descriptions. The fields are already optional (zod's
 * input types), but client generators read `default` as "always present": openapi-typescript makes
 * such a property required in a component schema, so `{ inputs: {} }` would not compile against it.
 */
const SCHEMA_MAPS = new Set(["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"]);

function defaultsAsText(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(defaultsAsText);
  if (typeof schema !== "object" || schema === null) return schema;
  const { default: fallback, ...rest } = schema as JsonObject;
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(rest)) {
    // Under "properties" the keys are field names (a field may be called "default"), the values schemas.
    if (SCHEMA_MAPS.has(key) && typeof value === "object" && value !== null && !Array.isArray(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, defaultsAsText(sub)]));
    } else if (key === "enum" || key === "const" || key === "examples" || key === "required") {
      out[key] = value;
    } else {
      out[key] = defaultsAsText(value);
    }
  }
  if (fallback === undefined) return out;
  const note = `Default: ${JSON.stringify(fallback)}.`;
  return { ...out, description: typeof out.description === "string" && out.description ? `${out.description.replace(/\.?$/, ".")} ${note}` : note };
}

/** Components generated from the registry: request bodies with their input types (defaults optional), the rest as output. */
function componentSchemas(): Record<string, JsonObject> {
  const uri = (id: string) => `#/components/schemas/${id}`;
  const asOutput = z.toJSONSchema(apiSchemas, { uri, io: "output", unrepresentable: "any" }).schemas as Record<string, JsonObject>;
  const asInput = z.toJSONSchema(apiSchemas, { uri, io: "input", unrepresentable: "any" }).schemas as Record<string, JsonObject>;
  const requestIds = new Set([idOf(ImportWorkflowRequestSchema), idOf(StartRunRequestSchema), idOf(AnswerWaitRequestSchema), idOf(ApprovalAnswerSchema), idOf(RegisterToolRequestSchema), idOf(OpenApiImportRequestSchema), ...KNOWLEDGE_REQUEST_IDS(), ...OPENAI_REQUEST_IDS()]);
  const out: Record<string, JsonObject> = {};
  for (const [id, schema] of Object.entries(asOutput)) {
    // Responses may gain fields in later versions, so only request bodies forbid unknown properties.
    const chosen = requestIds.has(id) ? (defaultsAsText(asInput[id]!) as JsonObject) : (openObjects(schema) as JsonObject);
    delete chosen.$schema; // a component is a fragment of the document, which declares the dialect once
    delete chosen.$id;
    out[id] = chosen;
  }
  return out;
}

export function buildOpenApiDocument(serverUrl = "/"): OpenApiDocument {
  return {
    openapi: "3.1.0",
    info: {
      title: "Weft public API",
      version: "1.0.0",
      description: [
        "Run published Weft workflows from your own code. Authenticate with an API key from **Settings → API keys**: `Authorization: Bearer weft_…`.",
        "Keys belong to one workspace; ids from another workspace answer 404. Errors always have the shape `{ error: { code, message, issues? } }`.",
        "Only published versions run through the API: publish a workflow in the editor first. Runs started here point at the exact version they executed.",
        STREAM_SEMANTICS,
        WAITS,
        TODO,
      ].join("\n\n"),
    },
    servers: [{ url: serverUrl }],
    tags: [
      { name: "workflows", description: "Published workflows" },
      { name: "runs", description: "Starting and following runs" },
      { name: "tools", description: "The tool registry: tools agents and Tool nodes call" },
      { name: "knowledge", description: "Knowledge bases: documents agents retrieve and cite" },
      { name: "openai", description: "OpenAI-compatible endpoint: published workflows as chat models, for any OpenAI client (base URL …/api/v1/openai)" },
      { name: "webhooks", description: "Webhook triggers (/api/hooks/{id}): other systems start runs of published workflows; each webhook chooses its authentication (HMAC signature, API key or none) and its answer (async or sync)" },
    ],
    paths: {
      "/api/v1/workflows": {
        get: operation("workflows:read", {
          operationId: "listWorkflows",
          summary: "List published workflows",
          description: "Workflows with at least one published version, each with its latest version and the Start node's inputs (also as a JSON Schema).",
          tags: ["workflows"],
          responses: { "200": { description: "The published workflows", content: json(WorkflowListSchema) } },
        }),
      },
      "/api/v1/workflows/import": {
        post: operation("workflows:write", {
          operationId: "importWorkflow",
          summary: "Import a workflow file",
          description:
            "Creates a draft workflow from a file exported in the editor. The graph is validated with the same rules as publish and run; an invalid one is refused with every problem and its node id, and nothing is saved. Nothing in the file runs or connects on import.",
          tags: ["workflows"],
          requestBody: { required: true, content: json(ImportWorkflowRequestSchema) },
          responses: {
            "201": { description: "The new workflow", content: json(ImportedWorkflowSchema) },
            "400": errorResponse("Not a workflow file (invalid_request, with issues), or a graph with problems (invalid_graph, with problems: [{ nodeId, message }])"),
            "413": errorResponse("The file is larger than 16 MiB (payload_too_large)"),
          },
        }),
      },
      "/api/v1/workflows/{id}/runs": {
        post: operation("runs:write", {
          operationId: "startRun",
          summary: "Run a published workflow",
          description: [
            "Runs the latest published version, or `version` when given. `mode` decides the answer:",
            `\`async\` (default) answers 202 at once; \`sync\` waits up to \`timeoutMs\` (default ${DEFAULT_SYNC_TIMEOUT_MS} ms, at most ${MAX_SYNC_TIMEOUT_MS} ms) and answers 200 with the finished run, or 202 if it is still going;`,
            "`stream` answers with Server-Sent Events of the run (the `X-Weft-Run-Id` header carries the run id, to reconnect through `GET /api/v1/runs/{id}/events`).",
          ].join(" "),
          tags: ["runs"],
          parameters: [idParam("workflow")],
          requestBody: { required: true, content: json(StartRunRequestSchema) },
          responses: {
            "200": {
              description: "sync: the finished run (status succeeded, failed or cancelled); stream: the event stream",
              content: { ...json(RunSchema), ...sse },
            },
            "202": {
              description: "async, or sync when the run has not finished within timeoutMs",
              headers: { Location: { description: "The run's URL", schema: { type: "string" } } },
              content: json(RunAcceptedSchema),
            },
            "400": errorResponse("Invalid body (invalid_request, with issues), inputs that do not match the Start node (invalid_input, with problems)"),
            "404": errorResponse("No such workflow in the key's workspace"),
            "402": errorResponse("The workspace's or the workflow's monthly budget is spent (budget_exhausted, with `budget`: scope, monthlyLimit, spent, currency); an admin raises it in Settings → Usage & limits"),
            "409": errorResponse("The workflow (or the requested version) is not published (not_published)"),
          },
        }),
      },
      "/api/v1/runs": {
        get: operation("runs:read", {
          operationId: "listRuns",
          summary: "List and search runs",
          description: [
            "The workspace's runs, newest first, with the same filters as the runs page: workflow, version, status, initiator, trigger, creation dates, duration and cost.",
            "`q` searches the words of the inputs, output and error values (not their JSON keys; web-search syntax: \"a phrase\", or, -excluded), or matches a run id.",
            "Page with `nextCursor` as `cursor`, keeping the same filters.",
          ].join(" "),
          tags: ["runs"],
          parameters: queryParams(ListRunsRequestSchema),
          responses: { "200": { description: "A page of runs", content: json(RunListSchema) }, "400": errorResponse("An invalid query parameter (invalid_request, with issues)") },
        }),
      },
      "/api/v1/runs/{id}": {
        get: operation("runs:read", {
          operationId: "getRun",
          summary: "Get a run",
          description: "The run with every step's status, output and error, and its waits (pending approvals and questions first).",
          tags: ["runs"],
          parameters: [idParam("run")],
          responses: { "200": { description: "The run", content: json(RunSchema) }, "404": errorResponse("No such run in the key's workspace") },
        }),
      },
      "/api/v1/runs/{id}/cancel": {
        post: operation("runs:write", {
          operationId: "cancelRun",
          summary: "Cancel a run",
          description: "Cancels a queued, running or waiting run: in-flight model and HTTP calls are aborted, open waits are closed, sub-workflow child runs are cancelled too.",
          tags: ["runs"],
          parameters: [idParam("run")],
          responses: {
            "200": { description: "The run is cancelled", content: json(CancelRunResultSchema) },
            "404": errorResponse("No such run in the key's workspace"),
            "409": errorResponse("The run has already finished (code conflict; `status` says how)"),
          },
        }),
      },
      "/api/v1/runs/{id}/waits/{waitId}/answer": {
        post: operation("waits:answer", {
          operationId: "answerWait",
          summary: "Answer an approval or a question",
          description: WAITS,
          tags: ["runs"],
          parameters: [idParam("run"), { name: "waitId", in: "path", required: true, description: "The wait's id (from the run's `waits`)", schema: { type: "string" } }],
          requestBody: { required: true, content: json(AnswerWaitRequestSchema) },
          responses: {
            "200": { description: "The answer was recorded; the run continues", content: json(AnswerWaitResultSchema) },
            "400": errorResponse("The answer does not fit the request (invalid_input, with issues), or the body is not a JSON object (invalid_request)"),
            "404": errorResponse("No such run in the key's workspace, or no such wait in the run"),
            "409": errorResponse("The wait was already answered, timed out or cancelled, or the run has ended (code conflict; `status` says how)"),
          },
        }),
      },
      "/api/v1/runs/{id}/events": {
        get: operation("runs:read", {
          operationId: "streamRunEvents",
          summary: "Follow a run's events",
          description: STREAM_SEMANTICS,
          tags: ["runs"],
          parameters: [idParam("run"), lastEventIdParam],
          responses: { "200": { description: "Server-Sent Events", content: sse }, "404": errorResponse("No such run in the key's workspace") },
        }),
      },
      "/api/v1/tools": {
        get: operation("tools:read", {
          operationId: "listTools",
          summary: "List tools",
          description: "Every tool of the workspace (http, openapi, code, mcp, workflow) with its input schema and version.",
          tags: ["tools"],
          responses: { "200": { description: "The tools", content: json(ToolListSchema) } },
        }),
        post: operation("tools:write", {
          operationId: "registerTool",
          summary: "Register an HTTP or code tool",
          description:
            "HTTP tools render their URL, headers, query and body from the input (`{{ name }}`) and authenticate with a workspace secret named in `config.auth`; code tools run JavaScript in the sandbox. The name must be unique in the workspace.",
          tags: ["tools"],
          requestBody: { required: true, content: json(RegisterToolRequestSchema) },
          responses: {
            "201": { description: "The registered tool", content: json(ApiToolSchema) },
            "400": errorResponse("Invalid body or input schema (invalid_request, with issues)"),
            "409": errorResponse("A tool with this name exists (conflict)"),
          },
        }),
      },
      "/api/v1/tools/openapi": {
        post: operation("tools:write", {
          operationId: "importOpenApiTools",
          summary: "Import tools from an OpenAPI document",
          description:
            "OpenAPI 3.x or Swagger 2.0, JSON or YAML, as `text`, by `url` (fetched by the server through its SSRF guard) or uploaded as `multipart/form-data` (file part `document`, options as a JSON text part `options`; up to WEFT_OPENAPI_MAX_BYTES, 64 MiB by default). Each chosen operation becomes a tool whose input holds its path, query and header parameters and a `body` sent in the operation's declared encoding. OPTIONS/TRACE operations and input schemas over the tool limit are reported in `skipped`. External `$ref`s are not fetched. Importing again under the same `sourceName` updates that source's tools and never renames them.",
          tags: ["tools"],
          requestBody: {
            required: true,
            content: {
              ...json(OpenApiImportRequestSchema),
              "multipart/form-data": {
                schema: {
                  type: "object",
                  properties: { document: { type: "string", format: "binary" }, options: { type: "string", description: "The JSON request fields other than text and url" } },
                  required: ["document"],
                },
              },
            },
          },
          responses: {
            "201": { description: "What was created, updated and removed", content: json(OpenApiImportResultSchema) },
            "400": errorResponse("Not an OpenAPI document, unknown operations, none importable, or the URL could not be fetched (invalid_request)"),
            "409": errorResponse("A non-OpenAPI source has this name (conflict)"),
            "413": errorResponse("The document is larger than the limit (payload_too_large)"),
          },
        }),
      },
      ...knowledgePaths(),
      ...openAiPaths(),
      ...hookPaths(),
      "/api/v1/openapi.json": {
        get: {
          operationId: "getOpenApiDocument",
          summary: "This document",
          tags: [],
          security: [],
          responses: { "200": { description: "The OpenAPI 3.1 document", content: { "application/json": { schema: { type: "object" } } } } },
        },
      },
    },
    components: {
      schemas: componentSchemas(),
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "weft_<43 base64url characters>",
          description: `API keys from Settings → API keys. Scopes: ${API_SCOPES.map((s) => `\`${s}\` (${API_SCOPE_LABELS[s]})`).join(", ")}.`,
        },
      },
    },
  };
}
