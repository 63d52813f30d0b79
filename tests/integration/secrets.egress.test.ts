import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Member, Role } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import type { RunEvent } from "@/lib/engine/run-ports";
import { subscribeToRun } from "@/lib/runs/events";
import { startRun } from "@/lib/runs/service";
import { createSecret } from "@/lib/secrets/service";
import { createTool } from "@/lib/tools/service";
import { createWorkflow, saveGraph } from "@/lib/workflows/service";
import { startCountingServer, type CountingServer } from "../fixtures/counting-server";
import { createTestMember } from "./helpers/members";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Issue 8, items 4 and 6, through a real worker process: a secret only reaches its allowed hosts
 * (redirects included), role-restricted secrets are refused to lower roles at save time and in the
 * worker, and what a run records holds no raw or encoded form of a secret an echo server sent back.
 */
let allowed: CountingServer;
let canary: CountingServer;
let worker: WorkerProcess;
let owner: Member;

const API_KEY = "egress-key-8a7b6c5d4e";
/** Characters every encoding spells differently: space, quote, slash, plus, ampersand, equals, non-ASCII. */
const ECHOED = 'Zq9 s3cr3t "k"/+&=ü';

async function memberOf(workspace: Member, role: Role): Promise<Member> {
  const suffix = randomUUID().slice(0, 8);
  const user = await db().user.create({ data: { id: randomUUID(), name: `${role} ${suffix}`, email: `${role}-${suffix}@example.test` } });
  await db().membership.create({ data: { userId: user.id, workspaceId: workspace.workspaceId, role } });
  return { ...workspace, userId: user.id, email: user.email, name: user.name, role };
}

function graphOf(middle: Graph["nodes"], end: Record<string, string>): Graph {
  const nodes: Graph["nodes"] = [
    { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
    ...middle,
    { id: "end", type: "end", position: { x: 900, y: 0 }, data: { outputs: Object.entries(end).map(([name, value]) => ({ name, value })) } },
  ];
  const chain = nodes.map((n) => n.id);
  return { version: 1, nodes, edges: chain.slice(1).map((target, i) => ({ id: `e${i}`, source: chain[i]!, target })) };
}

const httpNode = (id: string, url: string, headers: Record<string, string>): Graph["nodes"][number] => ({
  id,
  type: "http",
  position: { x: 300, y: 0 },
  data: { method: "GET", url, headers: Object.entries(headers).map(([key, value]) => ({ key, value })) },
});

const toolNode = (id: string, toolId: string): Graph["nodes"][number] => ({
  id,
  type: "tool",
  position: { x: 600, y: 0 },
  data: { toolId, toolName: id, inputs: [], outputs: [] },
});

beforeAll(async () => {
  allowed = await startCountingServer();
  canary = await startCountingServer();
  worker = await startWorkerProcess();
  owner = await createTestMember("owner");
  await createSecret(owner, { name: "API_KEY", value: API_KEY, allowedHosts: [`127.0.0.1:${allowed.port}`] });
  await createSecret(owner, { name: "ADMIN_KEY", value: "admin-only-1122334455", allowedHosts: [`127.0.0.1:${allowed.port}`], minRole: "admin" });
  await createSecret(owner, { name: "ECHOED", value: ECHOED, allowedHosts: [`127.0.0.1:${allowed.port}`] });
  // Tools reach loopback through the workspace allow-list (the network guard), secrets through their own hosts.
  await db().toolSource.create({
    data: { workspaceId: owner.workspaceId, kind: "settings", name: "__tool_registry_settings__", config: { allowList: [`127.0.0.1:${allowed.port}`] } },
  });
});

afterAll(async () => {
  await worker?.stop();
  await allowed?.close();
  await canary?.close();
});

beforeEach(() => {
  allowed.reset();
  canary.reset();
});

describe("a secret's allowed hosts, enforced in the worker", () => {
  it("fails the step naming the secret and the host when an editor sends it elsewhere; the canary receives nothing", async () => {
    const editor = await memberOf(owner, "editor");
    const graph = graphOf([httpNode("leak", `${canary.url}/collect`, { "X-Api-Key": "{{ secrets.API_KEY }}" })], { got: "{{ leak.body }}" });
    const workflow = await createWorkflow(editor, { name: "exfiltrate", graph });
    const run = await waitForRun((await startRun(editor, workflow.id, { inputs: {} })).runId);

    expect(run.status).toBe("failed");
    const step = run.steps.find((s) => s.nodeId === "leak")!;
    expect(step.error).toMatchObject({ code: "secret_denied", message: expect.stringContaining(`API_KEY may not be sent to 127.0.0.1:${canary.port}`) });
    expect(canary.requests).toHaveLength(0);
    expect(JSON.stringify(run)).not.toContain(API_KEY);
  });

  it("sends it to an allowed host", async () => {
    allowed.on("/api", (request) => ({ body: { key: request.headers["x-api-key"] } }));
    const graph = graphOf([httpNode("call", `${allowed.url}/api`, { "X-Api-Key": "{{ secrets.API_KEY }}" })], { got: "{{ call.body.key }}" });
    const workflow = await createWorkflow(owner, { name: "allowed", graph });
    const run = await waitForRun((await startRun(owner, workflow.id, { inputs: {} })).runId);

    expect(run.status).toBe("succeeded");
    expect(allowed.requests[0]!.headers["x-api-key"]).toBe(API_KEY);
    expect(run.output).toEqual({ got: "[redacted]" });
  });

  it("does not carry the secret across a redirect from the allowed host to another host", async () => {
    allowed.on("/moved", { redirect: `${canary.url}/landing` });
    canary.on("/landing", { body: { ok: true } });
    const custom = graphOf([httpNode("call", `${allowed.url}/moved`, { "X-Api-Key": "{{ secrets.API_KEY }}" })], { got: "{{ call.body }}" });
    const customRun = await waitForRun((await startRun(owner, (await createWorkflow(owner, { name: "redirect custom", graph: custom })).id, { inputs: {} })).runId);
    expect(customRun.status).toBe("failed");
    expect(customRun.steps.find((s) => s.nodeId === "call")!.error).toMatchObject({ code: "secret_denied" });

    const bearer = graphOf([httpNode("call", `${allowed.url}/moved`, { Authorization: "Bearer {{ secrets.API_KEY }}" })], { got: "{{ call.body }}" });
    const bearerRun = await waitForRun((await startRun(owner, (await createWorkflow(owner, { name: "redirect bearer", graph: bearer })).id, { inputs: {} })).runId);
    // The client drops credential headers on a cross-origin redirect, so that hop carries no secret and may go.
    expect(bearerRun.status).toBe("succeeded");

    expect(allowed.count("/moved")).toBe(2);
    expect(JSON.stringify(canary.requests)).not.toContain(API_KEY);
    expect(canary.requests.every((r) => r.headers.authorization === undefined && r.headers["x-api-key"] === undefined)).toBe(true);
  });

  it("checks tool auth too: an apiKey-in-query tool pointed at another host is refused before sending", async () => {
    const tool = await createTool(owner, {
      kind: "http",
      name: "query_leak",
      inputSchema: { type: "object", properties: {} },
      config: { url: `${canary.url}/q`, auth: { type: "apiKey", in: "query", name: "key", secret: "API_KEY" } },
    });
    await db().toolSource.updateMany({
      where: { workspaceId: owner.workspaceId, kind: "settings" },
      data: { config: { allowList: [`127.0.0.1:${allowed.port}`, `127.0.0.1:${canary.port}`] } },
    });
    const workflow = await createWorkflow(owner, { name: "tool leak", graph: graphOf([toolNode("query_leak", tool.id)], { r: "{{ query_leak.result }}" }) });
    const run = await waitForRun((await startRun(owner, workflow.id, { inputs: {} })).runId);
    expect(run.status).toBe("failed");
    expect(run.steps.find((s) => s.nodeId === "query_leak")!.error).toMatchObject({ code: "secret_denied", message: expect.stringContaining("API_KEY") });
    expect(canary.requests).toHaveLength(0);
  });
});

describe("role-restricted secrets", () => {
  it("refuses an editor's save that adds the secret, and refuses it in the worker for a run an editor starts", async () => {
    const editor = await memberOf(owner, "editor");
    const admin = await memberOf(owner, "admin");
    allowed.on("/admin", (request) => ({ body: { seen: Boolean(request.headers["x-admin-key"]) } }));
    const graph = graphOf([httpNode("call", `${allowed.url}/admin`, { "X-Admin-Key": "{{ secrets.ADMIN_KEY }}" })], { seen: "{{ call.body.seen }}" });

    await expect(createWorkflow(editor, { name: "editor adds", graph })).rejects.toMatchObject({ code: "forbidden", message: expect.stringMatching(/ADMIN_KEY \(admin or higher\).*your role is editor/) });
    const blank = await createWorkflow(editor, { name: "editor edits", graph: graphOf([], {}) });
    await expect(saveGraph(editor, blank.id, { graph, revision: 0 })).rejects.toMatchObject({ code: "forbidden" });

    const workflow = await createWorkflow(admin, { name: "admin wired", graph });
    const byEditor = await waitForRun((await startRun(editor, workflow.id, { inputs: {} })).runId);
    expect(byEditor.status).toBe("failed");
    expect(byEditor.steps.find((s) => s.nodeId === "call")!.error).toMatchObject({ code: "secret_denied", message: expect.stringMatching(/ADMIN_KEY is restricted to the admin role/) });
    expect(allowed.count("/admin")).toBe(0);

    const byAdmin = await waitForRun((await startRun(admin, workflow.id, { inputs: {} })).runId);
    expect(byAdmin.status).toBe("succeeded");
    expect(byAdmin.output).toEqual({ seen: true });
  });
});

describe("redaction of encoded forms", () => {
  it("keeps no raw, URL-encoded, base64, Basic or JSON-escaped form of an echoed secret in step rows, events or the run output", async () => {
    const echo = (request: { path: string; query: Record<string, string>; headers: Record<string, string | string[] | undefined> }) => ({
      body: { path: request.path, query: request.query, raw: `key=${new URLSearchParams(request.query).get("key") ?? ""}`, encoded: new URLSearchParams(request.query).toString(), authorization: request.headers.authorization ?? null },
    });
    allowed.on("/echo-query", echo);
    allowed.on("/echo-basic", echo);
    const queryTool = await createTool(owner, {
      kind: "http",
      name: "echo_query",
      inputSchema: { type: "object", properties: {} },
      config: { url: `${allowed.url}/echo-query`, auth: { type: "apiKey", in: "query", name: "key", secret: "ECHOED" } },
    });
    const basicTool = await createTool(owner, {
      kind: "http",
      name: "echo_basic",
      inputSchema: { type: "object", properties: {} },
      config: { url: `${allowed.url}/echo-basic`, auth: { type: "basic", username: "alice", secret: "ECHOED" } },
    });
    const graph = graphOf([toolNode("echo_query", queryTool.id), { ...toolNode("echo_basic", basicTool.id), position: { x: 700, y: 0 } }], {
      q: "{{ echo_query.result }}",
      b: "{{ echo_basic.result }}",
    });
    const workflow = await createWorkflow(owner, { name: "echo", graph });

    const events: RunEvent[] = [];
    const { runId } = await startRun(owner, workflow.id, { inputs: {} });
    const unsubscribe = await subscribeToRun(runId, (event) => events.push(event));
    const run = await waitForRun(runId);
    await new Promise((r) => setTimeout(r, 300));
    await unsubscribe();

    expect(run.status).toBe("succeeded");
    // The servers really got the secret (so the test would see a leak).
    expect(allowed.requests.find((r) => r.path === "/echo-query")!.query.key).toBe(ECHOED);
    const basic = `Basic ${Buffer.from(`alice:${ECHOED}`).toString("base64")}`;
    expect(allowed.requests.find((r) => r.path === "/echo-basic")!.headers.authorization).toBe(basic);

    const forms = [
      ECHOED,
      encodeURIComponent(ECHOED),
      new URLSearchParams({ k: ECHOED }).toString().slice(2),
      Buffer.from(ECHOED).toString("base64"),
      Buffer.from(`alice:${ECHOED}`).toString("base64"),
      JSON.stringify(ECHOED).slice(1, -1),
    ];
    // PostgreSQL directly: the rows as stored, text of every column.
    const stored = await db().$queryRaw<{ row: string }[]>`
      SELECT row_to_json(s)::text AS row FROM run_steps s WHERE s."runId" = ${runId}
      UNION ALL SELECT row_to_json(r)::text FROM runs r WHERE r.id = ${runId}`;
    const recorded = { stored: stored.map((s) => s.row).join("\n"), events: JSON.stringify(events), output: JSON.stringify(run.output) };
    expect(stored.length).toBeGreaterThan(2);
    expect(events.length).toBeGreaterThan(2);
    for (const [where, text] of Object.entries(recorded)) {
      for (const form of forms) expect({ where, leaked: text.includes(form) ? form : null }).toEqual({ where, leaked: null });
      expect(text, where).toContain("[redacted]");
    }
  });
});
