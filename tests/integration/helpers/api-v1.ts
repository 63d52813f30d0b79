import * as runCancelRoute from "@/app/api/v1/runs/[id]/cancel/route";
import * as runEventsRoute from "@/app/api/v1/runs/[id]/events/route";
import * as answerWaitRoute from "@/app/api/v1/runs/[id]/waits/[waitId]/answer/route";
import * as runRoute from "@/app/api/v1/runs/[id]/route";
import * as runsRoute from "@/app/api/v1/runs/route";
import * as unknownPathRoute from "@/app/api/v1/[...path]/route";
import * as openapiRoute from "@/app/api/v1/openapi.json/route";
import * as workflowRunsRoute from "@/app/api/v1/workflows/[id]/runs/route";
import * as workflowsRoute from "@/app/api/v1/workflows/route";
import * as workflowImportRoute from "@/app/api/v1/workflows/import/route";
import * as toolsRoute from "@/app/api/v1/tools/route";
import * as toolsOpenApiRoute from "@/app/api/v1/tools/openapi/route";
import * as knowledgeBasesRoute from "@/app/api/v1/knowledge-bases/route";
import * as knowledgeBaseRoute from "@/app/api/v1/knowledge-bases/[id]/route";
import * as knowledgeDocumentsRoute from "@/app/api/v1/knowledge-bases/[id]/documents/route";
import * as knowledgeDocumentRoute from "@/app/api/v1/knowledge-bases/[id]/documents/[documentId]/route";
import * as knowledgeQueryRoute from "@/app/api/v1/knowledge-bases/[id]/query/route";
import * as openAiCompletionsRoute from "@/app/api/v1/openai/chat/completions/route";
import * as openAiModelsRoute from "@/app/api/v1/openai/models/route";
import * as openAiModelRoute from "@/app/api/v1/openai/models/[model]/route";
import * as mcpRoute from "@/app/api/mcp/route";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { createApiKey } from "@/lib/api-keys/service";
import type { ApiScope } from "@/lib/api-keys/scopes";
import type { Member } from "@/lib/auth/member";
import { WeftClient } from "@/lib/client/weft-client";

export const API_BASE = "http://weft.test";

type Handler = (request: Request, context: { params: Promise<{ id: string; waitId?: string }> }) => Promise<Response>;

/** The /api/v1 route table, as Next's router would dispatch it. */
const routes: { method: string; pattern: RegExp; handler: Handler }[] = [
  { method: "GET", pattern: /^\/api\/v1\/workflows$/, handler: (request) => workflowsRoute.GET(request, undefined) },
  { method: "POST", pattern: /^\/api\/v1\/workflows\/import$/, handler: (request) => workflowImportRoute.POST(request, undefined) },
  { method: "POST", pattern: /^\/api\/v1\/workflows\/([^/]+)\/runs$/, handler: workflowRunsRoute.POST },
  { method: "GET", pattern: /^\/api\/v1\/runs$/, handler: (request) => runsRoute.GET(request, undefined) },
  { method: "GET", pattern: /^\/api\/v1\/runs\/([^/]+)$/, handler: runRoute.GET },
  { method: "GET", pattern: /^\/api\/v1\/runs\/([^/]+)\/events$/, handler: runEventsRoute.GET },
  { method: "POST", pattern: /^\/api\/v1\/runs\/([^/]+)\/cancel$/, handler: runCancelRoute.POST },
  {
    method: "POST",
    pattern: /^\/api\/v1\/runs\/([^/]+)\/waits\/([^/]+)\/answer$/,
    handler: (request, { params }) => params.then((p) => answerWaitRoute.POST(request, { params: Promise.resolve({ id: p.id, waitId: p.waitId ?? "" }) })),
  },
  { method: "GET", pattern: /^\/api\/v1\/tools$/, handler: (request) => toolsRoute.GET(request, undefined) },
  { method: "POST", pattern: /^\/api\/v1\/tools$/, handler: (request) => toolsRoute.POST(request, undefined) },
  { method: "POST", pattern: /^\/api\/v1\/tools\/openapi$/, handler: (request) => toolsOpenApiRoute.POST(request, undefined) },
  { method: "GET", pattern: /^\/api\/v1\/knowledge-bases$/, handler: (request) => knowledgeBasesRoute.GET(request, undefined) },
  { method: "POST", pattern: /^\/api\/v1\/knowledge-bases$/, handler: (request) => knowledgeBasesRoute.POST(request, undefined) },
  { method: "GET", pattern: /^\/api\/v1\/knowledge-bases\/([^/]+)$/, handler: knowledgeBaseRoute.GET },
  { method: "PATCH", pattern: /^\/api\/v1\/knowledge-bases\/([^/]+)$/, handler: knowledgeBaseRoute.PATCH },
  { method: "DELETE", pattern: /^\/api\/v1\/knowledge-bases\/([^/]+)$/, handler: knowledgeBaseRoute.DELETE },
  { method: "GET", pattern: /^\/api\/v1\/knowledge-bases\/([^/]+)\/documents$/, handler: knowledgeDocumentsRoute.GET },
  { method: "POST", pattern: /^\/api\/v1\/knowledge-bases\/([^/]+)\/documents$/, handler: knowledgeDocumentsRoute.POST },
  ...(["GET", "DELETE"] as const).map((method) => ({
    method,
    pattern: /^\/api\/v1\/knowledge-bases\/([^/]+)\/documents\/([^/]+)$/,
    handler: ((request, { params }) => params.then((p) => knowledgeDocumentRoute[method](request, { params: Promise.resolve({ id: p.id, documentId: p.waitId ?? "" }) }))) as Handler,
  })),
  { method: "POST", pattern: /^\/api\/v1\/knowledge-bases\/([^/]+)\/query$/, handler: knowledgeQueryRoute.POST },
  { method: "GET", pattern: /^\/api\/v1\/openapi\.json$/, handler: (request) => openapiRoute.GET(request) },
  { method: "POST", pattern: /^\/api\/v1\/openai\/chat\/completions$/, handler: (request) => openAiCompletionsRoute.POST(request, undefined) },
  { method: "GET", pattern: /^\/api\/v1\/openai\/models$/, handler: (request) => openAiModelsRoute.GET(request, undefined) },
  {
    method: "GET",
    pattern: /^\/api\/v1\/openai\/models\/([^/]+)$/,
    handler: (request, { params }) => params.then((p) => openAiModelRoute.GET(request, { params: Promise.resolve({ model: p.id }) })),
  },
  { method: "POST", pattern: /^\/api\/mcp$/, handler: (request) => mcpRoute.POST(request, undefined) },
  // The route exports only POST: Next answers other methods 405 (stateless MCP servers offer no GET stream).
  ...(["GET", "DELETE"] as const).map((method) => ({ method, pattern: /^\/api\/mcp$/, handler: async () => new Response(null, { status: 405, headers: { Allow: "POST" } }) })),
];

/** A fetch that hands each Request to the imported route handler (no HTTP server, real handlers). */
export async function routeFetch(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (match && route.method === request.method) {
      // Only the segments the pattern has, as Next passes them (route wrappers validate every param).
      const params = { id: decodeURIComponent(match[1] ?? ""), ...(match[2] !== undefined ? { waitId: decodeURIComponent(match[2]) } : {}) };
      return route.handler(request, { params: Promise.resolve(params) });
    }
  }
  // What Next does with a path no route file matches: the v1 catch-all's JSON 404.
  const segments = path.replace(/^\/api\/v1\/?/, "").split("/");
  const handler = unknownPathRoute[request.method as "GET" | "POST" | "PUT" | "PATCH" | "DELETE"];
  return handler(request, { params: Promise.resolve({ path: segments }) });
}

/** `routeFetch` with fetch's signature, for clients that call `fetch(url, init)` (the openai package, the MCP SDK). */
export const routeFetchLike = (input: string | URL | Request, init?: RequestInit): Promise<Response> => routeFetch(new Request(input, init));

/** The MCP SDK's own client over Streamable HTTP on the /api/mcp route handler, with `apiKey` as its bearer token; the caller closes it. */
export async function connectMcp(apiKey: string): Promise<Client> {
  const transport = new StreamableHTTPClientTransport(new URL(`${API_BASE}/api/mcp`), {
    fetch: routeFetchLike,
    requestInit: { headers: { Authorization: `Bearer ${apiKey}` } },
  });
  const client = new Client({ name: "weft-test", version: "1.0.0" });
  await client.connect(transport);
  return client;
}

export function clientFor(apiKey: string): WeftClient {
  return new WeftClient({ baseUrl: API_BASE, apiKey, fetch: routeFetch });
}

/** An API key of `member`'s workspace, created through the real service. */
export async function createKey(member: Member, scopes: ApiScope[] = ["workflows:read", "runs:read", "runs:write"]) {
  const { key, secret } = await createApiKey(member, { name: `test key ${scopes.join(",")}`.slice(0, 120), scopes });
  return { id: key.id, secret };
}

/** A raw request with an Authorization header (for auth tests the client cannot express). */
export function apiRequest(method: string, path: string, authorization: string | null, body?: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`${API_BASE}${path}`, {
    method,
    headers: {
      ...(authorization ? { authorization } : {}),
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
  });
}
