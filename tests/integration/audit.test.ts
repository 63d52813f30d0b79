import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as apiKeyRoute from "@/app/api/api-keys/[id]/route";
import * as apiKeysRoute from "@/app/api/api-keys/route";
import * as auditExportRoute from "@/app/api/audit/export/route";
import * as auditRoute from "@/app/api/audit/route";
import * as auditSettingsRoute from "@/app/api/audit/settings/route";
import * as aliasRoute from "@/app/api/model-aliases/[id]/route";
import * as aliasesRoute from "@/app/api/model-aliases/route";
import * as networkRoute from "@/app/api/network-allow-list/route";
import * as providerRoute from "@/app/api/providers/[id]/route";
import * as providersRoute from "@/app/api/providers/route";
import * as cancelRoute from "@/app/api/runs/[id]/cancel/route";
import * as rerunRoute from "@/app/api/runs/[id]/rerun/route";
import * as resumeRoute from "@/app/api/runs/[id]/resume/route";
import * as answerRoute from "@/app/api/runs/[id]/waits/[waitId]/answer/route";
import * as secretRoute from "@/app/api/secrets/[id]/route";
import * as secretsRoute from "@/app/api/secrets/route";
import * as mcpSourceRoute from "@/app/api/tool-sources/mcp/[id]/route";
import * as mcpSourcesRoute from "@/app/api/tool-sources/mcp/route";
import * as toolRoute from "@/app/api/tools/[id]/route";
import * as openApiSourceRoute from "@/app/api/tools/openapi/[id]/route";
import * as openApiRoute from "@/app/api/tools/openapi/route";
import * as toolsRoute from "@/app/api/tools/route";
import * as v1ImportRoute from "@/app/api/v1/workflows/import/route";
import * as exportRoute from "@/app/api/workflows/[id]/export/route";
import * as graphRoute from "@/app/api/workflows/[id]/graph/route";
import * as publishRoute from "@/app/api/workflows/[id]/publish/route";
import * as workflowRoute from "@/app/api/workflows/[id]/route";
import * as runsRoute from "@/app/api/workflows/[id]/runs/route";
import * as importRoute from "@/app/api/workflows/import/route";
import * as workflowsRoute from "@/app/api/workflows/route";
import { createApiKey } from "@/lib/api-keys/service";
import { CSV_COLUMNS } from "@/lib/audit/export";
import { purgeExpiredAuditEvents } from "@/lib/audit/retention";
import { auth } from "@/lib/auth/auth";
import type { Member } from "@/lib/auth/member";
import { db, poolOf } from "@/lib/db/client";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { BASE_URL, signUpUser } from "./helpers/session";

/**
 * The audit log end to end: every audited action called through its real route handler writes
 * exactly one entry with the request's address and user agent; the table refuses UPDATE, DELETE
 * and TRUNCATE at the database; the purge removes only what is past retention; no secret value
 * ever reaches an entry; filters and both exports.
 */

const ticketGraph = exampleWorkflows({ providerId: "unused", model: "unused" })[1].graph;
const inputs = { customer: "Ada", message: "refund please", priority: 1 };
const CLIENT = { ip: "203.0.113.7", userAgent: "audit-test/1.0" };
/** Every credential of this file contains it; no audit row may. */
const CANARY = `canary${randomUUID().replace(/-/g, "")}`;

let owner: Awaited<ReturnType<typeof signUpUser>>;
let ownerEmail: string;

type Ctx = { params: Promise<Record<string, string>> };
type Handler = (request: Request, context: Ctx) => Promise<Response>;

function request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Request {
  return new Request(`${BASE_URL}${path}`, {
    method,
    headers: { cookie: owner.cookie, "x-forwarded-for": CLIENT.ip, "user-agent": CLIENT.userAgent, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function call(handler: unknown, method: string, path: string, body?: unknown, params: Record<string, string> = {}): Promise<Response> {
  const response = await (handler as Handler)(request(method, path, body), { params: Promise.resolve(params) });
  if (response.status >= 400) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response;
}
const json = async <T = { id: string }>(response: Promise<Response>) => (await (await response).json()) as T;

const entries = (action: string, targetId?: string) =>
  db().auditEvent.findMany({ where: { action, workspaceId: owner.workspaceId, ...(targetId ? { targetId } : {}) } });

/** Asserts the action left exactly one entry (for the target), by the owner, from the test client. */
async function expectOne(action: string, targetId?: string) {
  const found = await entries(action, targetId);
  expect(found, `${action} ${targetId ?? ""}`).toHaveLength(1);
  expect(found[0]).toMatchObject({ actorUserId: owner.userId, ip: CLIENT.ip, userAgent: CLIENT.userAgent });
  return found[0]!;
}

beforeAll(async () => {
  owner = await signUpUser("Audit Owner");
  ownerEmail = (await db().user.findUniqueOrThrow({ where: { id: owner.userId } })).email;
});

afterAll(async () => {
  // Runs this file queued are cancelled so no worker of another file picks them up.
  await db().run.updateMany({ where: { workspaceId: owner.workspaceId, status: { in: ["queued", "running", "waiting"] } }, data: { status: "cancelled" } });
});

describe("the table is append-only at the database", () => {
  it("refuses UPDATE, DELETE and TRUNCATE, even with the purge flag set by hand on a recent row", async () => {
    const row = await db().auditEvent.create({ data: { action: "test.append_only", actorType: "system", workspaceId: owner.workspaceId } });
    const pool = poolOf(db());
    await expect(pool.query(`UPDATE audit_events SET action = 'test.changed' WHERE id = $1`, [row.id])).rejects.toThrow(/append-only: UPDATE refused/);
    await expect(pool.query(`DELETE FROM audit_events WHERE id = $1`, [row.id])).rejects.toThrow(/append-only: DELETE refused/);
    await expect(pool.query(`TRUNCATE audit_events`)).rejects.toThrow(/append-only: TRUNCATE refused/);
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query(`SELECT set_config('weft.audit_purge', 'on', true)`);
      await expect(client.query(`DELETE FROM audit_events WHERE id = $1`, [row.id])).rejects.toThrow(/append-only/);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
    expect(await db().auditEvent.findUnique({ where: { id: row.id } })).toMatchObject({ action: "test.append_only" });
  });

  it("the purge removes only entries past their workspace's retention (365 days by default)", async () => {
    const other = await db().workspace.create({ data: { name: "Short retention", auditRetentionDays: 30 } });
    const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
    const make = (workspaceId: string | null, days: number) =>
      db().auditEvent.create({ data: { action: "test.retention", actorType: "system", workspaceId, createdAt: daysAgo(days) }, select: { id: true } });
    const expired = await Promise.all([make(owner.workspaceId, 400), make(other.id, 40), make(null, 366)]);
    const kept = await Promise.all([make(owner.workspaceId, 300), make(other.id, 20), make(null, 300)]);
    // A worker of another test file may purge first (each purges at start): the rows decide, not the count.
    expect(await purgeExpiredAuditEvents()).toBeGreaterThanOrEqual(0);
    const left = new Set((await db().auditEvent.findMany({ where: { action: "test.retention" }, select: { id: true } })).map((r) => r.id));
    for (const row of expired) expect(left.has(row.id)).toBe(false);
    for (const row of kept) expect(left.has(row.id)).toBe(true);
  });

  it("retention is a workspace setting for admins, bounded, and its change is audited", async () => {
    expect(await json<{ retentionDays: number }>(call(auditSettingsRoute.GET, "GET", "/api/audit/settings"))).toEqual({ retentionDays: 365 });
    const refused = await (auditSettingsRoute.PUT as Handler)(request("PUT", "/api/audit/settings", { retentionDays: 1 }), { params: Promise.resolve({}) });
    expect(refused.status).toBe(400);
    await call(auditSettingsRoute.PUT, "PUT", "/api/audit/settings", { retentionDays: 400 });
    const entry = await expectOne("audit.retention_changed");
    expect(entry.changes).toEqual({ retentionDays: { before: 365, after: 400 } });
  });
});

describe("each audited action writes exactly one entry", () => {
  it("sign-in and failed sign-in", async () => {
    const succeeded = await db().auditEvent.findMany({ where: { action: "auth.sign_in.succeeded", actorUserId: owner.userId } });
    expect(succeeded).toHaveLength(1);
    const failed = await auth().handler(
      new Request(`${BASE_URL}/api/auth/sign-in/email`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: BASE_URL, "x-forwarded-for": CLIENT.ip, "user-agent": CLIENT.userAgent },
        body: JSON.stringify({ email: ownerEmail, password: "wrong-password-1" }),
      }),
    );
    expect(failed.status).toBe(401);
    const failures = await db().auditEvent.findMany({ where: { action: "auth.sign_in.failed", targetId: owner.userId } });
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({ ip: CLIENT.ip, userAgent: CLIENT.userAgent, actorType: "anonymous" });
    // Instance-level entries about a member show in the workspace's log.
    const listed = await json<{ events: { action: string }[] }>(call(auditRoute.GET, "GET", "/api/audit?action=auth"));
    expect(listed.events.map((e) => e.action).sort()).toEqual(["auth.sign_in.failed", "auth.sign_in.succeeded"]);
  });

  it("workflow created, edited (autosaves coalesced), renamed, published, exported, imported, deleted", async () => {
    const { id } = await json(call(workflowsRoute.POST, "POST", "/api/workflows", { name: "Audited", graph: ticketGraph }));
    await expectOne("workflow.created", id);
    for (const revision of [0, 1, 2]) await call(graphRoute.PUT, "PUT", `/api/workflows/${id}/graph`, { graph: ticketGraph, revision }, { id });
    expect((await expectOne("workflow.edited", id)).metadata).toMatchObject({ revision: 1 });
    await call(workflowRoute.PATCH, "PATCH", `/api/workflows/${id}`, { name: "Audited renamed" }, { id });
    const renames = (await entries("workflow.edited", id)).filter((e) => e.changes);
    expect(renames.map((e) => e.changes)).toEqual([{ name: { before: "Audited", after: "Audited renamed" } }]);
    await call(publishRoute.POST, "POST", `/api/workflows/${id}/publish`, { note: "v1" }, { id });
    expect((await expectOne("workflow.published", id)).metadata).toMatchObject({ version: 1, note: "v1" });
    const file = await json<Record<string, unknown>>(call(exportRoute.GET, "GET", `/api/workflows/${id}/export`, undefined, { id }));
    await expectOne("workflow.exported", id);
    const imported = await json(call(importRoute.POST, "POST", "/api/workflows/import", { file, name: "Imported copy" }));
    await expectOne("workflow.imported", imported.id);
    expect(await entries("workflow.created", imported.id)).toHaveLength(0);
    await call(workflowRoute.DELETE, "DELETE", `/api/workflows/${imported.id}`, undefined, { id: imported.id });
    expect((await expectOne("workflow.deleted", imported.id)).targetLabel).toBe("Imported copy");
  });

  it("run started, cancelled, resumed, re-run; approval and question answered", async () => {
    const { id: workflowId } = await json(call(workflowsRoute.POST, "POST", "/api/workflows", { name: "Runs audited", graph: ticketGraph }));
    const { runId } = await json<{ runId: string }>(call(runsRoute.POST, "POST", `/api/workflows/${workflowId}/runs`, { inputs }, { id: workflowId }));
    expect((await expectOne("run.started", runId)).targetLabel).toBe("Runs audited");
    await call(cancelRoute.POST, "POST", `/api/runs/${runId}/cancel`, undefined, { id: runId });
    await expectOne("run.cancelled", runId);
    const resumed = await json<{ runId: string }>(call(resumeRoute.POST, "POST", `/api/runs/${runId}/resume`, {}, { id: runId }));
    expect((await expectOne("run.resumed", resumed.runId)).metadata).toMatchObject({ sourceRunId: runId });
    const rerun = await json<{ runId: string }>(call(rerunRoute.POST, "POST", `/api/runs/${runId}/rerun`, { nodeId: "summary" }, { id: runId }));
    await expectOne("run.rerun", rerun.runId);
    expect(await entries("run.started", resumed.runId)).toHaveLength(0);

    const waiting = await db().run.create({ data: { workspaceId: owner.workspaceId, workflowName: "Waits", graph: ticketGraph as object, inputs, status: "waiting" } });
    const approval = await db().runWait.create({
      data: { workspaceId: owner.workspaceId, runId: waiting.id, nodeId: "approve", kind: "approval", request: { title: "Ship?", message: "", assigneeRole: null, onTimeout: null } },
    });
    const question = await db().runWait.create({
      data: {
        workspaceId: owner.workspaceId,
        runId: waiting.id,
        nodeId: "ask",
        kind: "question",
        request: { title: "Details", prompt: "Why?", hasTimeout: false, fields: [{ name: "reason", label: "", type: "string", required: true, options: [], default: null, description: "" }] },
      },
    });
    const answer = (waitId: string, body: unknown) => call(answerRoute.POST, "POST", `/api/runs/${waiting.id}/waits/${waitId}/answer`, body, { id: waiting.id, waitId });
    await answer(approval.id, { decision: "approve", comment: "fine" });
    expect((await expectOne("approval.answered", waiting.id)).metadata).toEqual({ waitId: approval.id, decision: "approve" });
    await answer(question.id, { reason: `typed ${CANARY}` });
    expect((await expectOne("question.answered", waiting.id)).metadata).toEqual({ waitId: question.id, decision: null });
  });

  it("providers, model aliases, secrets, tools, tool sources, API keys and the network allow-list", async () => {
    const provider = await json(
      call(providersRoute.POST, "POST", "/api/providers", { name: "Audited provider", preset: "custom", baseUrl: "https://example.com/v1", apiKey: `sk-${CANARY}`, models: ["m1"] }),
    );
    await expectOne("provider.created", provider.id);
    await call(providerRoute.PATCH, "PATCH", `/api/providers/${provider.id}`, { apiKey: `sk-rotated-${CANARY}`, models: ["m1", "m2"] }, { id: provider.id });
    expect((await expectOne("provider.updated", provider.id)).changes).toEqual({ models: { before: ["m1"], after: ["m1", "m2"] }, apiKeyCipher: { changed: true } });

    const alias = await json(call(aliasesRoute.POST, "POST", "/api/model-aliases", { name: "fast", targets: [{ providerId: provider.id, model: "m1" }] }));
    await expectOne("model_alias.created", alias.id);
    await call(aliasRoute.PATCH, "PATCH", `/api/model-aliases/${alias.id}`, { description: "the fast one" }, { id: alias.id });
    await expectOne("model_alias.updated", alias.id);
    await call(aliasRoute.DELETE, "DELETE", `/api/model-aliases/${alias.id}`, undefined, { id: alias.id });
    await expectOne("model_alias.deleted", alias.id);
    await call(providerRoute.DELETE, "DELETE", `/api/providers/${provider.id}`, undefined, { id: provider.id });
    await expectOne("provider.deleted", provider.id);

    const secret = await json(call(secretsRoute.POST, "POST", "/api/secrets", { name: "AUDIT_KEY", value: `value-${CANARY}`, allowedHosts: ["api.example.com"] }));
    await expectOne("secret.created", secret.id);
    await call(secretRoute.PATCH, "PATCH", `/api/secrets/${secret.id}`, { value: `rotated-${CANARY}` }, { id: secret.id });
    expect((await expectOne("secret.updated", secret.id)).metadata).toMatchObject({ rotated: true });

    const toolBody = {
      kind: "http",
      name: "audited_tool",
      description: "probe",
      inputSchema: { type: "object" },
      config: { url: "https://api.example.com/x", method: "GET", headers: [{ key: "X-Api-Key", value: `literal-${CANARY}` }], auth: { type: "bearer", secret: "AUDIT_KEY" } },
    };
    const tool = await json(call(toolsRoute.POST, "POST", "/api/tools", toolBody));
    await expectOne("tool.created", tool.id);
    await call(toolRoute.PATCH, "PATCH", `/api/tools/${tool.id}`, { config: { ...toolBody.config, headers: [{ key: "X-Api-Key", value: `other-${CANARY}` }] } }, { id: tool.id });
    expect((await expectOne("tool.updated", tool.id)).changes).toEqual({ config: { changed: true } });
    await call(toolRoute.DELETE, "DELETE", `/api/tools/${tool.id}`, undefined, { id: tool.id });
    await expectOne("tool.deleted", tool.id);

    const mcp = await json(
      call(mcpSourcesRoute.POST, "POST", "/api/tool-sources/mcp", { name: "audited-mcp", config: { transport: "http", url: "https://mcp.example.com/mcp", headers: { "X-Token": `mcp-${CANARY}` } } }),
    );
    await expectOne("tool_source.created", mcp.id);
    await call(mcpSourceRoute.PATCH, "PATCH", `/api/tool-sources/mcp/${mcp.id}`, { name: "audited-mcp-2" }, { id: mcp.id });
    expect((await expectOne("tool_source.updated", mcp.id)).changes).toEqual({ name: { before: "audited-mcp", after: "audited-mcp-2" } });
    await call(mcpSourceRoute.DELETE, "DELETE", `/api/tool-sources/mcp/${mcp.id}`, undefined, { id: mcp.id });
    await expectOne("tool_source.deleted", mcp.id);

    const doc = JSON.stringify({ openapi: "3.0.0", info: { title: "Pets", version: "1" }, servers: [{ url: "https://pets.example.com" }], paths: { "/pets": { get: { operationId: "listPets", responses: { 200: { description: "ok" } } } } } });
    const imported = await json<{ sourceId: string }>(call(openApiRoute.POST, "POST", "/api/tools/openapi", { text: doc, sourceName: "Pets" }));
    expect((await expectOne("tool_source.created", imported.sourceId)).metadata).toMatchObject({ kind: "openapi", created: 1 });
    await call(openApiSourceRoute.DELETE, "DELETE", `/api/tools/openapi/${imported.sourceId}`, undefined, { id: imported.sourceId });
    await expectOne("tool_source.deleted", imported.sourceId);

    await call(secretRoute.DELETE, "DELETE", `/api/secrets/${secret.id}`, undefined, { id: secret.id });
    await expectOne("secret.deleted", secret.id);

    const key = await json<{ key: { id: string }; secret: string }>(call(apiKeysRoute.POST, "POST", "/api/api-keys", { name: "audited key", scopes: ["runs:read"] }));
    await expectOne("api_key.created", key.key.id);
    await call(apiKeyRoute.DELETE, "DELETE", `/api/api-keys/${key.key.id}`, undefined, { id: key.key.id });
    await call(apiKeyRoute.DELETE, "DELETE", `/api/api-keys/${key.key.id}`, undefined, { id: key.key.id });
    await expectOne("api_key.revoked", key.key.id);

    await call(networkRoute.PUT, "PUT", "/api/network-allow-list", { allowList: ["10.1.2.3"] });
    await call(networkRoute.PUT, "PUT", "/api/network-allow-list", { allowList: ["10.1.2.3"] });
    expect((await expectOne("network.allow_list.changed")).changes).toEqual({ allowList: { before: [], after: ["10.1.2.3"] } });
  });

  it("an API key is the actor of what it does, with its creator's user id", async () => {
    const member: Member = { userId: owner.userId, email: ownerEmail, name: "Audit Owner", workspaceId: owner.workspaceId, workspaceName: "", role: "owner" };
    const { key, secret } = await createApiKey(member, { name: "importer", scopes: ["workflows:write"] });
    const file = { format: "weft.workflow", version: 1, name: "Via key", graph: ticketGraph };
    const response = await v1ImportRoute.POST(request("POST", "/api/v1/workflows/import", { file }, { authorization: `Bearer ${secret}`, cookie: "" }));
    expect(response.status).toBe(201);
    const { id } = (await response.json()) as { id: string };
    const [entry, ...rest] = await entries("workflow.imported", id);
    expect(rest).toHaveLength(0);
    expect(entry).toMatchObject({ actorType: "api_key", actorApiKeyId: key.id, actorUserId: owner.userId, actorLabel: "API key importer", ip: CLIENT.ip });
  });
});

describe("no secret value reaches the audit log", () => {
  it("the canary of every credential above (provider keys, secret values, tool headers, MCP headers, answers) is in no entry", async () => {
    const { rows } = await poolOf(db()).query<{ count: string }>(`SELECT count(*) AS count FROM audit_events WHERE row_to_json(audit_events)::text LIKE $1`, [`%${CANARY}%`]);
    expect(Number(rows[0]!.count)).toBe(0);
    // …and the log did record those actions (the check above is not vacuous).
    expect(await db().auditEvent.count({ where: { workspaceId: owner.workspaceId, action: { in: ["secret.updated", "provider.updated", "tool.updated", "tool_source.created"] } } })).toBeGreaterThanOrEqual(4);
  });
});

describe("filters and exports", () => {
  type Listed = { events: { id: string; action: string; actorLabel: string | null; targetLabel: string | null; createdAt: string }[]; nextCursor: string | null };

  it("filters by action prefix, actor, target and date, and pages newest first", async () => {
    const secrets = await json<Listed>(call(auditRoute.GET, "GET", "/api/audit?action=secret."));
    expect(secrets.events.map((e) => e.action)).toEqual(["secret.deleted", "secret.updated", "secret.created"]);
    const byKey = await json<Listed>(call(auditRoute.GET, "GET", `/api/audit?actor=${encodeURIComponent("API key importer")}`));
    expect(byKey.events.map((e) => e.action)).toEqual(["workflow.imported"]);
    const byTarget = await json<Listed>(call(auditRoute.GET, "GET", "/api/audit?target=audited_tool"));
    expect(byTarget.events.map((e) => e.action)).toEqual(["tool.deleted", "tool.updated", "tool.created"]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await json<Listed>(call(auditRoute.GET, "GET", `/api/audit?from=${today}&to=${today}&action=secret`))).events).toHaveLength(3);
    expect((await json<Listed>(call(auditRoute.GET, "GET", "/api/audit?to=2020-01-01&action=secret"))).events).toHaveLength(0);
    const first = await json<Listed>(call(auditRoute.GET, "GET", "/api/audit?action=secret&limit=2"));
    const second = await json<Listed>(call(auditRoute.GET, "GET", `/api/audit?action=secret&limit=2&cursor=${first.nextCursor}`));
    expect([...first.events, ...second.events].map((e) => e.action)).toEqual(secrets.events.map((e) => e.action));
    expect(second.nextCursor).toBeNull();
    const bad = await (auditRoute.GET as Handler)(request("GET", "/api/audit?from=yesterday"), { params: Promise.resolve({}) });
    expect(bad.status).toBe(400);
  });

  it("exports the filtered entries as CSV and as JSON Lines, and records the export", async () => {
    const csv = await call(auditExportRoute.GET, "GET", "/api/audit/export?format=csv&action=tool.");
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    const lines = (await csv.text()).trim().split("\r\n");
    expect(lines[0]).toBe(CSV_COLUMNS.join(","));
    expect(lines.slice(1).map((line) => line.split(",")[1])).toEqual(["tool.deleted", "tool.updated", "tool.created"]);

    const jsonl = await call(auditExportRoute.GET, "GET", "/api/audit/export?format=jsonl&action=secret.");
    expect(jsonl.headers.get("content-type")).toMatch(/application\/x-ndjson/);
    const records = (await jsonl.text()).trim().split("\n").map((line) => JSON.parse(line) as { action: string; ip: string; actorLabel: string });
    expect(records.map((r) => r.action)).toEqual(["secret.deleted", "secret.updated", "secret.created"]);
    expect(records[0]).toMatchObject({ ip: CLIENT.ip, actorLabel: ownerEmail });
    expect((await entries("audit.exported")).map((e) => e.metadata)).toEqual(expect.arrayContaining([{ format: "csv", filter: { action: "tool." } }, { format: "jsonl", filter: { action: "secret." } }]));
    const bad = await (auditExportRoute.GET as Handler)(request("GET", "/api/audit/export?format=xml"), { params: Promise.resolve({}) });
    expect(bad.status).toBe(400);
  });
});
