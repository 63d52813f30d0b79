import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import type { WeftClient } from "@/lib/client/weft-client";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { describeInitiator } from "@/lib/runs/initiator";
import { getRunDetail, listRuns } from "@/lib/runs/queries";
import { rerunFrom, resumeRun } from "@/lib/runs/rerun";
import { startRun } from "@/lib/runs/service";
import { createToolPort } from "@/lib/tools/port";
import { createTool } from "@/lib/tools/service";
import { createWorkflow } from "@/lib/workflows/service";
import { publishWorkflow } from "@/lib/workflows/versions";
import { startCountingServer, type CountingServer } from "../fixtures/counting-server";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { apiRequest, clientFor, createKey, routeFetch } from "./helpers/api-v1";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Who and what started each run, through a real worker: the editor, an API key (with the version
 * and the cost in the sync answer), resume and re-run, a sub-workflow child, a workflow tool, and
 * an API key deleted afterwards. The runs list and the run page show the same.
 */
let worker: WorkerProcess;
let llm: OpenAiServer;
let http: CountingServer;
let member: Member;
let client: WeftClient;
let key: { id: string; secret: string };
let ticketId: string;
/** The example assistant: one LLM step on a priced model, so its runs cost something. */
let assistantId: string;
const ticketInputs = { customer: "Ada", message: "refund please", priority: 1 };

const start = { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "who", label: "", type: "string", required: true, description: "" }] } };
const end = (value: string) => ({ id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "out", value }] } });
const linear = (nodes: Graph["nodes"]): Graph => ({ version: 1, nodes, edges: nodes.slice(1).map((n, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: n.id })) });

beforeAll(async () => {
  llm = await startOpenAiServer({ apiKey: "sk-test-key-1234" });
  http = await startCountingServer();
  worker = await startWorkerProcess();
  member = await createTestMember("developer");
  const provider = await createTestProvider(member.workspaceId, llm.url);
  await db().modelProvider.update({
    where: { id: provider.id },
    data: { modelInfo: { "test-model": { inputPrice: 2, outputPrice: 8, currency: "USD", capabilities: { tools: true, json: true, vision: false, streaming: true } } } },
  });
  const [assistant, ticket] = exampleWorkflows({ providerId: provider.id, model: "test-model" });
  assistantId = (await createWorkflow(member, { name: assistant!.name, graph: assistant!.graph })).id;
  await publishWorkflow(member, assistantId);
  await publishWorkflow(member, assistantId);
  ticketId = (await createWorkflow(member, { name: ticket!.name, graph: ticket!.graph })).id;
  await publishWorkflow(member, ticketId);
  key = await createKey(member);
  client = clientFor(key.secret);
});

afterAll(async () => {
  await worker?.stop();
  await llm?.close();
  await http?.close();
});

async function origin(runId: string) {
  return db().run.findUniqueOrThrow({ where: { id: runId }, select: { trigger: true, createdById: true, apiKeyId: true, apiKeyName: true } });
}

describe("run initiators", () => {
  it("an editor run records the member and the editor trigger, and the list and run page show them", async () => {
    const workflow = await createWorkflow(member, { name: "Editor run", graph: linear([start, end("{{ start.who }}")]) });
    const { runId } = await startRun(member, workflow.id, { inputs: { who: "Ada" } });
    await waitForRun(runId);
    expect(await origin(runId)).toEqual({ trigger: "editor", createdById: member.userId, apiKeyId: null, apiKeyName: null });

    const listed = (await listRuns(member, { workflowId: workflow.id })).runs[0]!;
    expect(listed).toMatchObject({ trigger: "editor", initiator: { kind: "user", id: member.userId, name: member.name }, version: null });
    expect(describeInitiator(listed.initiator, listed.trigger, listed.version)).toBe(`${member.name} · editor`);
    const detail = (await getRunDetail(member, runId))!;
    expect(detail).toMatchObject({ trigger: "editor", initiator: { kind: "user", name: member.name }, version: null });
  });

  it("an API run records the key and the version; the sync answer carries the initiator and the run's cost", async () => {
    llm.script({ text: "Refund on its way.", usage: { prompt_tokens: 1000, completion_tokens: 250 } });
    const run = await client.runSync(assistantId, { inputs: { question: "Where is my refund?" }, timeoutMs: 30_000 });
    if (!("steps" in run)) throw new Error(`run did not finish: ${JSON.stringify(run)}`);
    expect(run.status).toBe("succeeded");
    const stored = await db().run.findUniqueOrThrow({ where: { id: run.id }, select: { cost: true, trigger: true, apiKeyId: true, apiKeyName: true, createdById: true } });
    expect(stored).toMatchObject({ trigger: "api", apiKeyId: key.id, apiKeyName: expect.stringContaining("test key"), createdById: member.userId });
    expect(stored.cost).toEqual({ USD: 0.004 });
    expect(run.cost).toEqual(stored.cost);
    expect(run).toMatchObject({ trigger: "api", version: 2, initiator: { kind: "api_key", id: key.id, name: stored.apiKeyName } });

    // GET /api/v1/runs/:id says the same.
    expect(await client.getRun(run.id)).toMatchObject({ cost: { USD: 0.004 }, trigger: "api", initiator: { kind: "api_key", id: key.id } });

    const listed = (await listRuns(member, { workflowId: assistantId })).runs.find((r) => r.id === run.id)!;
    expect(describeInitiator(listed.initiator, listed.trigger, listed.version)).toBe(`API key ‘${stored.apiKeyName}’ · v2`);
  });

  it("keeps the key's name on its runs after the key is deleted", async () => {
    const doomed = await createKey(member, ["runs:write", "runs:read"]);
    const accepted = await clientFor(doomed.secret).startRun(ticketId, { inputs: ticketInputs });
    await waitForRun(accepted.runId);
    await db().apiKey.delete({ where: { id: doomed.id } });
    const detail = (await getRunDetail(member, accepted.runId))!;
    expect(detail.initiator).toEqual({ kind: "api_key", id: doomed.id, name: "test key runs:write,runs:read" });
    expect(describeInitiator(detail.initiator, detail.trigger, detail.version)).toBe("API key ‘test key runs:write,runs:read’ · v1");
  });

  it("resume and re-run record the member who asked and their trigger", async () => {
    const workflow = await createWorkflow(member, {
      name: "Flaky",
      graph: linear([start, { id: "call", type: "http", position: { x: 300, y: 0 }, data: { url: `${http.url}/flaky` } }, end("{{ call.status }}")]),
    });
    http.script("/flaky", { status: 500, body: { error: "down" } });
    const failed = await waitForRun((await startRun(member, workflow.id, { inputs: { who: "Ada" } })).runId);
    expect(failed.status).toBe("failed");
    const resumer = await createTestMember("editor");
    await db().membership.create({ data: { userId: resumer.userId, workspaceId: member.workspaceId, role: "editor" } });
    const asResumer = { ...resumer, workspaceId: member.workspaceId, workspaceName: member.workspaceName };

    const resumed = await resumeRun(asResumer, failed.id);
    await waitForRun(resumed.runId);
    expect(await origin(resumed.runId)).toEqual({ trigger: "resume", createdById: resumer.userId, apiKeyId: null, apiKeyName: null });
    const rerun = await rerunFrom(member, resumed.runId, "call");
    await waitForRun(rerun.runId);
    expect(await origin(rerun.runId)).toEqual({ trigger: "rerun", createdById: member.userId, apiKeyId: null, apiKeyName: null });

    const listed = await listRuns(member, { workflowId: workflow.id });
    expect(listed.runs.map((r) => describeInitiator(r.initiator, r.trigger, r.version))).toEqual([
      `${member.name} · rerun`,
      `${resumer.name} · resume`,
      `${member.name} · editor`,
    ]);
  });

  it("a sub-workflow child started by an API run carries the key and the subworkflow trigger", async () => {
    const child = await createWorkflow(member, { name: "Child", graph: linear([start, end("Hello {{ start.who }}")]) });
    await publishWorkflow(member, child.id);
    const parent = await createWorkflow(member, {
      name: "Parent",
      graph: linear([
        start,
        { id: "sub", type: "subworkflow", position: { x: 300, y: 0 }, data: { workflowId: child.id, inputs: [{ name: "who", value: "{{ start.who }}" }] } },
        end("{{ sub.runId }}"),
      ]),
    });
    await publishWorkflow(member, parent.id);
    const run = await client.runSync(parent.id, { inputs: { who: "Ada" }, timeoutMs: 30_000 });
    if (!("output" in run)) throw new Error("parent did not finish");
    const childRunId = (run.output as { out: string }).out;
    expect(await origin(childRunId)).toEqual({ trigger: "subworkflow", createdById: member.userId, apiKeyId: key.id, apiKeyName: expect.any(String) });
    const listed = (await listRuns(member, { workflowId: child.id })).runs[0]!;
    expect(listed).toMatchObject({ id: childRunId, trigger: "subworkflow", initiator: { kind: "api_key", id: key.id }, version: 1 });
  });

  it("a workflow tool's run carries the calling run's initiator and the tool trigger", async () => {
    const target = await createWorkflow(member, { name: "Tool target", graph: linear([start, end("Hi {{ start.who }}")]) });
    await publishWorkflow(member, target.id);
    const tool = await createTool(member, { kind: "workflow", name: "greet_tool", config: { workflowId: target.id, timeoutMs: 30_000 } });
    // The calling run: one started through the API key (the Tool node passes its run id in the idempotency key).
    const caller = await client.runSync(ticketId, { inputs: ticketInputs, timeoutMs: 30_000 });
    const port = createToolPort({ db: db(), workspaceId: member.workspaceId, allowPrivate: true });
    const result = await port.call({ toolId: tool.id, input: { who: "Ada" }, signal: new AbortController().signal, idempotencyKey: `${"id" in caller ? caller.id : caller.runId}:tool:0` });
    const runId = (result.detail as { runId: string }).runId;
    expect(await origin(runId)).toEqual({ trigger: "tool", createdById: member.userId, apiKeyId: key.id, apiKeyName: expect.any(String) });
  });
});

describe("unknown /api/v1 paths", () => {
  it.each(["GET", "POST", "DELETE", "PUT", "PATCH"])("%s answers a JSON 404 in the API's error shape", async (method) => {
    for (const path of ["/api/v1/nope", "/api/v1/runs/abc/nothing-here", "/api/v1/workflows/x/y/z"]) {
      const response = await routeFetch(apiRequest(method, path, `Bearer ${key.secret}`, method === "GET" || method === "DELETE" ? undefined : {}));
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(response.headers.get("content-type")).toContain("application/json");
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("not_found");
      expect(body.error.message).toMatch(/openapi\.json/);
    }
  });

  it("answers 404 without a key too (nothing there to authorize)", async () => {
    const response = await routeFetch(apiRequest("GET", "/api/v1/does-not-exist", null));
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
  });
});
