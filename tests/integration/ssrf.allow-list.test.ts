import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { setNetworkAllowList } from "@/lib/net/workspace-allow-list";
import { testProvider } from "@/lib/providers/service";
import { startRun } from "@/lib/runs/service";
import { createMcpPool } from "@/lib/tools/mcp/pool";
import { createMcpSource, syncMcpSource } from "@/lib/tools/mcp/service";
import { createTool } from "@/lib/tools/service";
import { createWorkflow } from "@/lib/workflows/service";
import { startCountingServer, type CountingServer } from "../fixtures/counting-server";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * The SSRF guard with the operator's global switch OFF, as in production and in the quick start:
 * a worker process started with WEFT_ALLOW_PRIVATE_NETWORK=false (the integration project turns it
 * on for every other file). A loopback canary is refused for HTTP nodes, HTTP tools, MCP over HTTP
 * and model providers until the workspace allow-list names its host:port; another port of the same address
 * and a redirect from the allowed host to a private address that is not listed stay refused.
 */
const run = promisify(execFile);
let canary: CountingServer;
let other: CountingServer;
let model: OpenAiServer;
let worker: WorkerProcess;
let member: Member;

beforeAll(async () => {
  [canary, other, model] = await Promise.all([startCountingServer(), startCountingServer(), startOpenAiServer({ host: "127.0.0.1", models: ["demo-echo"] })]);
  worker = await startWorkerProcess({ WEFT_ALLOW_PRIVATE_NETWORK: "false" });
  member = await createTestMember("admin");
});

afterAll(async () => {
  await worker?.stop();
  await Promise.all([canary?.close(), other?.close(), model?.close()]);
});

beforeEach(async () => {
  canary.reset();
  other.reset();
  model.reset();
  await allow([]);
});

const allow = (entries: string[]) => setNetworkAllowList(db(), member, { allowList: entries });
const canaryEntry = () => `127.0.0.1:${canary.port}`;

function graphWith(node: Graph["nodes"][number], output: string): Graph {
  return {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
      node,
      { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "out", value: output }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: node.id },
      { id: "e2", source: node.id, target: "end" },
    ],
  };
}

async function runGraph(graph: Graph, inputs: Record<string, unknown> = {}) {
  const workflow = await createWorkflow(member, { name: `ssrf ${Math.random().toString(36).slice(2, 8)}`, graph });
  return waitForRun((await startRun(member, workflow.id, { inputs })).runId);
}

type Finished = Awaited<ReturnType<typeof waitForRun>>;
const stepError = (finished: Finished, nodeId: string) => finished.steps.find((s) => s.nodeId === nodeId)?.error as { code: string; message: string } | null;

describe("the worker, with WEFT_ALLOW_PRIVATE_NETWORK=false", () => {
  it("does not print the private-network warning (a worker with the switch on does)", async () => {
    expect(worker.output()).not.toContain("SSRF protection is OFF");
    const open = await startWorkerProcess({ WEFT_ALLOW_PRIVATE_NETWORK: "true" });
    try {
      expect(open.output()).toMatch(/"level":40.*WEFT_ALLOW_PRIVATE_NETWORK=true: SSRF protection is OFF. Every workspace can reach/);
    } finally {
      await open.stop();
    }
  });
});

describe("HTTP node", () => {
  const httpNode = (url: string): Graph["nodes"][number] => ({ id: "call", type: "http", position: { x: 300, y: 0 }, data: { method: "GET", url } });

  it("refuses the loopback canary, reaches it once its host:port is allow-listed, and still refuses another port", async () => {
    const refused = await runGraph(graphWith(httpNode(`${canary.url}/x`), "{{ call.status }}"));
    expect(refused.status).toBe("failed");
    expect(stepError(refused, "call")).toMatchObject({ code: "network_blocked", message: expect.stringMatching(/127\.0\.0\.1.*loopback.*Settings → Network/) });
    expect(canary.requests).toHaveLength(0);

    await allow([canaryEntry()]);
    const reached = await runGraph(graphWith(httpNode(`${canary.url}/x`), "{{ call.status }}"));
    expect(reached.status).toBe("succeeded");
    expect(canary.count("/x")).toBe(1);

    const otherPort = await runGraph(graphWith(httpNode(`${other.url}/x`), "{{ call.status }}"));
    expect(stepError(otherPort, "call")).toMatchObject({ code: "network_blocked" });
    expect(other.requests).toHaveLength(0);
  });

  it("refuses a redirect from the allowed host to a private address that is not listed", async () => {
    await allow([canaryEntry()]);
    canary.on("/to-other", { redirect: `${other.url}/secret` });
    canary.on("/to-metadata", { status: 307, redirect: "http://169.254.169.254/latest/meta-data/" });
    for (const path of ["/to-other", "/to-metadata"]) {
      const finished = await runGraph(graphWith(httpNode(`${canary.url}${path}`), "{{ call.status }}"));
      expect(stepError(finished, "call"), path).toMatchObject({ code: "network_blocked", message: expect.stringMatching(/after a redirect/) });
    }
    expect(canary.count("/to-other")).toBe(1);
    expect(other.requests).toHaveLength(0);
  });
});

describe("HTTP tool (Tool node)", () => {
  async function toolNode(url: string): Promise<Graph["nodes"][number]> {
    const tool = await createTool(member, {
      kind: "http",
      name: `canary_${Math.random().toString(36).slice(2, 8)}`,
      inputSchema: { type: "object", properties: {} },
      config: { url },
    });
    return { id: "tool", type: "tool", position: { x: 300, y: 0 }, data: { toolId: tool.id, toolName: tool.name, inputs: [], outputs: [] } };
  }

  it("refuses the canary until allow-listed, then another port and a redirect to it stay refused", async () => {
    const refused = await runGraph(graphWith(await toolNode(`${canary.url}/tool`), "{{ tool.result }}"));
    expect(stepError(refused, "tool")).toMatchObject({ code: "tool_error", message: expect.stringMatching(/127\.0\.0\.1.*blocked/) });
    expect(canary.requests).toHaveLength(0);

    await allow([canaryEntry()]);
    canary.on("/tool", { body: { ok: true } });
    const reached = await runGraph(graphWith(await toolNode(`${canary.url}/tool`), "{{ tool.result }}"));
    expect(reached.status).toBe("succeeded");
    expect(canary.count("/tool")).toBe(1);

    const otherPort = await runGraph(graphWith(await toolNode(`${other.url}/tool`), "{{ tool.result }}"));
    expect(stepError(otherPort, "tool")?.message).toMatch(/blocked/);

    canary.on("/hop", { redirect: `${other.url}/secret` });
    const redirected = await runGraph(graphWith(await toolNode(`${canary.url}/hop`), "{{ tool.result }}"));
    expect(stepError(redirected, "tool")?.message).toMatch(/blocked.*after a redirect/);
    expect(canary.count("/hop")).toBe(1);
    expect(other.requests).toHaveLength(0);
  });
});

describe("MCP server over Streamable HTTP (Connect)", () => {
  it("refuses the canary until allow-listed, and a redirect from the allowed server to another port", async () => {
    const pool = createMcpPool({ idleMs: 60_000 });
    try {
      const connect = async (url: string) => {
        const source = await createMcpSource(member, { name: `mcp ${Math.random().toString(36).slice(2, 8)}`, config: { transport: "http", url, headers: {} } }, { pool });
        return syncMcpSource(member, source.id, { pool, allowPrivate: false });
      };
      expect(await connect(`${canary.url}/mcp`)).toMatchObject({ ok: false, message: expect.stringMatching(/127\.0\.0\.1.*blocked/) });
      expect(canary.requests).toHaveLength(0);

      await allow([canaryEntry()]);
      canary.on("/mcp", { status: 307, redirect: `${other.url}/mcp` });
      // The MCP SDK follows same-origin redirects only; the guarded fetch would refuse this hop anyway.
      expect(await connect(`${canary.url}/mcp`)).toMatchObject({ ok: false, message: expect.stringMatching(/blocked|not followed/) });
      expect(canary.count("/mcp")).toBeGreaterThanOrEqual(1);
      expect(other.requests).toHaveLength(0);
    } finally {
      await pool.shutdown();
    }
  });
});

describe("model provider (LLM node and Settings → Models test)", () => {
  const llmGraph = (providerId: string) => exampleWorkflows({ providerId, model: "demo-echo" })[0]!.graph;

  it("refuses a provider on loopback until its host:port is allow-listed", async () => {
    const provider = await createTestProvider(member.workspaceId, model.url, { models: ["demo-echo"] });
    const refused = await runGraph(llmGraph(provider.id), { question: "hello" });
    expect(stepError(refused, "llm")).toMatchObject({ code: "provider_bad_request", message: expect.stringMatching(/cannot be reached.*127\.0\.0\.1.*loopback/) });
    expect(await testProvider(member, provider.id, {}, { allowPrivateNetwork: false })).toMatchObject({ ok: false, message: expect.stringMatching(/blocked/) });
    expect(model.requests).toHaveLength(0);

    await allow([`127.0.0.1:${model.port}`]);
    const reached = await runGraph(llmGraph(provider.id), { question: "hello" });
    expect(reached.status).toBe("succeeded");
    expect(await testProvider(member, provider.id, {}, { allowPrivateNetwork: false })).toMatchObject({ ok: true });
    expect(model.chatRequests()).toHaveLength(2);
  });

  it("refuses a provider on another port of an allowed address, and a redirect the model client follows to a private address", async () => {
    await allow([`127.0.0.1:${model.port}`, canaryEntry()]);
    const elsewhere = await createTestProvider(member.workspaceId, `${other.url}/v1`, { models: ["demo-echo"] });
    expect(stepError(await runGraph(llmGraph(elsewhere.id), { question: "hi" }), "llm")?.message).toMatch(/blocked/);

    canary.on("/v1/chat/completions", { status: 307, redirect: `${other.url}/v1/chat/completions` });
    const redirecting = await createTestProvider(member.workspaceId, `${canary.url}/v1`, { models: ["demo-echo"] });
    const finished = await runGraph(llmGraph(redirecting.id), { question: "hi" });
    expect(finished.status).toBe("failed");
    expect(stepError(finished, "llm")?.message).toMatch(/blocked/);
    expect(canary.count("/v1/chat/completions")).toBeGreaterThanOrEqual(1);
    expect(other.requests).toHaveLength(0);
  });
});

describe("the quick start", () => {
  it("writes .env with the global switch off", async () => {
    const script = await readFile("scripts/quickstart.sh", "utf8");
    expect(script).not.toMatch(/WEFT_ALLOW_PRIVATE_NETWORK=true#/);
    expect(await readFile(".env.example", "utf8")).toMatch(/^WEFT_ALLOW_PRIVATE_NETWORK=false$/m);
  });

  // Two seeds in child processes, the first indexing the handbook example: more than the default minute on a busy machine.
  it("seeds only the demo model's host:port, and the demo LLM workflow runs through a worker with private networks closed", { timeout: 180_000 }, async () => {
    await run(process.execPath, ["--import", "tsx", "prisma/seed.ts"], { env: { ...process.env, WEFT_DEMO_MODEL_URL: model.url } });
    const user = await db().user.findUniqueOrThrow({ where: { email: "demo@weft.local" } });
    const membership = await db().membership.findFirstOrThrow({ where: { userId: user.id }, include: { workspace: true } });
    expect(membership.workspace.networkAllowList).toEqual([`127.0.0.1:${model.port}`]);
    // Seeding again changes nothing.
    await run(process.execPath, ["--import", "tsx", "prisma/seed.ts"], { env: { ...process.env, WEFT_DEMO_MODEL_URL: model.url } });
    expect((await db().workspace.findUniqueOrThrow({ where: { id: membership.workspaceId } })).networkAllowList).toEqual([`127.0.0.1:${model.port}`]);

    const demo: Member = { userId: user.id, email: user.email, name: user.name, workspaceId: membership.workspaceId, workspaceName: membership.workspace.name, role: membership.role };
    const workflow = await db().workflow.findFirstOrThrow({ where: { workspaceId: demo.workspaceId, name: "Ask the assistant" } });
    const finished = await waitForRun((await startRun(demo, workflow.id, { inputs: { question: "What is Weft?" } })).runId);
    expect(finished.status).toBe("succeeded");
    expect(finished.output).toEqual({ answer: expect.stringMatching(/\S/) });
    expect(model.chatRequests()).toHaveLength(1);
  });
});
