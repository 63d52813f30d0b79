import { exampleWorkflows } from "@/lib/examples/workflows";
import type { RouteMethod } from "./route-tree";

/** Plausible JSON bodies for the write routes under app/api, so tests that walk the route tree get past the schemas. */

const ticketGraph = exampleWorkflows({ providerId: "unused", model: "unused" })[1].graph;
const inputs = { customer: "Ada", message: "refund please", priority: 1 };

/**
 * Routes whose body is a file streamed to storage, not JSON (its name and tags are query
 * parameters): the JSON-body checks do not apply; tests/integration/knowledge.routes.test.ts covers them.
 * (The knowledge documents routes also take JSON — text or a URL — and are checked as JSON routes.)
 */
export const FILE_BODY_ROUTES = new Set<string>(["PUT /api/knowledge-bases/[id]/documents/[documentId]"]);

/** A plausible body per route (most would pass their schema); other write routes get a generic one. */
export function validishBody(route: RouteMethod): Record<string, unknown> {
  const bodies: Record<string, Record<string, unknown>> = {
    "POST /api/workflows": { name: "Probe", graph: ticketGraph },
    "PATCH /api/workflows/[id]": { name: "Probe renamed", slug: "probe-renamed" },
    "PUT /api/workflows/[id]/graph": { revision: 0, graph: ticketGraph },
    "PATCH /api/workflows/[id]/graph": { revision: 0, patch: { removeEdges: ["e1"] } },
    "POST /api/workflows/[id]/publish": { note: "probe" },
    "POST /api/workflows/[id]/runs": { inputs },
    "POST /api/workflows/[id]/nodes/[nodeId]/test": { upstream: { start: inputs } },
    "POST /api/workflows/[id]/versions/[version]/restore": { revision: 0 },
    "POST /api/workflows/import": { name: "Imported", file: { format: "weft.workflow", version: 1, name: "Probe", graph: ticketGraph } },
    "POST /api/secrets": { name: "PROBE_SECRET", description: "probe", value: "s3cret-value" },
    "PATCH /api/secrets/[id]": { description: "probe", value: "s3cret-value" },
    "POST /api/api-keys": { name: "probe key", scopes: ["runs:read"] },
    "POST /api/tools": { kind: "http", name: "probe_tool", description: "probe", inputSchema: { type: "object" }, config: { url: "https://example.com/x", method: "GET" } },
    "POST /api/v1/tools": { kind: "http", name: "probe_v1_tool", description: "probe", inputSchema: { type: "object" }, config: { url: "https://example.com/x", method: "GET" } },
    "PATCH /api/tools/[id]": { description: "probe" },
    "POST /api/tools/[id]/test": { input: { q: "probe" } },
    "PUT /api/tools/settings": { allowList: ["10.1.2.3"] },
    "POST /api/tools/openapi/preview": { text: "openapi: 3.0.0\ninfo: { title: probe, version: '1' }\npaths: {}" },
    "POST /api/model-aliases": { name: "probe-alias", description: "probe", targets: [{ providerId: "p", model: "m" }] },
    "POST /api/providers": { name: "Probe provider", kind: "openai_compatible", preset: "custom", baseUrl: "https://example.com/v1", apiKey: "sk-probe-1234567890", models: ["m"] },
    "POST /api/tool-sources/mcp": { name: "probe-mcp", config: { transport: "http", url: "https://example.com/mcp" } },
    "PATCH /api/tool-sources/mcp/[id]/tools/[toolId]": { requireApproval: true },
    "POST /api/runs/[id]/rerun": { nodeId: "summary" },
    "POST /api/runs/[id]/waits/[waitId]/answer": { decision: "approve", comment: "probe" },
    "POST /api/v1/workflows/[id]/runs": { inputs, mode: "async" },
    "PUT /api/workflows/[id]/chat-app": { title: "Probe chat", access: "link" },
    "POST /api/chat/[slug]/turns": { message: "probe" },
    "PATCH /api/chat/[slug]/conversations/[conversationId]": { title: "probe" },
    "POST /api/chat/[slug]/messages/[messageId]/feedback": { rating: 1, comment: "probe" },
    "POST /api/v1/runs/[id]/waits/[waitId]/answer": { decision: "approve", comment: "probe" },
    "PUT /api/budget": { budget: { monthlyLimit: 100, currency: "USD", warnPercent: 80 } },
    "PUT /api/budget/workflows/[id]": { budget: { monthlyLimit: 10 }, maxConcurrentRuns: 2 },
    "POST /api/invitations": { email: "probe@example.test", role: "editor" },
    "POST /api/invitations/accept": { token: "A".repeat(43) },
    "PATCH /api/members/[id]": { role: "viewer" },
    "POST /api/members/leave": { workspaceId: "00000000-0000-4000-8000-000000000000" },
    "POST /api/workspaces/switch": { workspaceId: "00000000-0000-4000-8000-000000000000" },
    "PUT /api/audit/settings": { retentionDays: 400 },
    "POST /api/knowledge-bases": { name: "probe kb", description: "probe", embedding: { providerId: "00000000-0000-4000-8000-000000000000", model: "m" } },
    "PATCH /api/knowledge-bases/[id]": { name: "probe kb", description: "probe" },
    "POST /api/knowledge-bases/[id]/documents/text": { name: "probe.md", text: "probe" },
    "POST /api/knowledge-bases/[id]/query": { query: "probe" },
    "POST /api/knowledge-bases/[id]/documents": { name: "probe.md", text: "probe" },
    "PATCH /api/knowledge-bases/[id]/documents/[documentId]": { metadata: { department: "probe" } },
    "PATCH /api/knowledge-bases/[id]/documents/[documentId]/chunks/[chunkId]": { enabled: false },
    "POST /api/v1/knowledge-bases": { name: "probe kb", description: "probe", embedding: { providerId: "00000000-0000-4000-8000-000000000000", model: "m" } },
    "PATCH /api/v1/knowledge-bases/[id]": { name: "probe kb", description: "probe" },
    "POST /api/v1/knowledge-bases/[id]/documents": { name: "probe.md", text: "probe" },
    "POST /api/v1/knowledge-bases/[id]/query": { query: "probe" },
    "POST /api/workflows/[id]/webhooks": { name: "probe hook", authMode: "hmac", mode: "async" },
    "PATCH /api/workflows/[id]/webhooks/[webhookId]": { name: "probe hook", enabled: false },
    "POST /api/workflows/[id]/schedules": { name: "probe schedule", cron: "0 9 * * 1-5", timezone: "Europe/Paris", inputs },
    "PATCH /api/workflows/[id]/schedules/[scheduleId]": { name: "probe schedule", enabled: false },
    "POST /api/v1/workflows/import": { name: "Imported", file: { format: "weft.workflow", version: 1, name: "Probe", graph: ticketGraph } },
    "POST /api/v1/openai/chat/completions": { model: "probe-model", messages: [{ role: "user", content: "probe" }] },
    "POST /api/mcp": { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} },
  };
  return bodies[`${route.method} ${route.pattern}`] ?? { name: "probe", description: "probe", text: "probe" };
}

