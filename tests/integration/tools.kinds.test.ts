import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as testRoute from "@/app/api/tools/[id]/test/route";
import * as toolsRoute from "@/app/api/tools/route";
import type { Member } from "@/lib/auth/member";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { WeftApiError } from "@/lib/client/weft-client";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import type { ToolPort } from "@/lib/engine/ports";
import { createSandboxPool } from "@/lib/sandbox/pool";
import { createToolPort } from "@/lib/tools/port";
import { createTool } from "@/lib/tools/service";
import { publishWorkflow } from "@/lib/workflows/versions";
import { createWorkflow } from "@/lib/workflows/service";
import { apiRequest, clientFor, createKey, routeFetch } from "./helpers/api-v1";
import { createTestMember } from "./helpers/members";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/** Code and workflow tools, the tool console route, and /api/v1/tools with API keys. */
const sandbox = createSandboxPool({ processes: 1 });
let worker: WorkerProcess;
let owner: { cookie: string; userId: string; workspaceId: string };
let member: Member;
let port: ToolPort;

const call = (toolId: string, input: Record<string, unknown>) =>
  port.call({ toolId, input, signal: new AbortController().signal, idempotencyKey: `console-test:${Math.random()}` });

beforeAll(async () => {
  owner = await signUpUser("Kinds Owner");
  member = { userId: owner.userId, email: "", name: "", workspaceId: owner.workspaceId, workspaceName: "", role: "owner" };
  port = createToolPort({ db: db(), workspaceId: member.workspaceId, allowPrivate: true, runCode: sandbox.run });
  worker = await startWorkerProcess();
});

afterAll(async () => {
  sandbox.close();
  await worker?.stop();
});

describe("code tools", () => {
  it("runs the function in the sandbox with the input and returns its object", async () => {
    const tool = await createTool(member, {
      kind: "code",
      name: "add",
      inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
      config: { code: "console.log('adding'); return { sum: inputs.a + inputs.b, hasProcess: typeof process !== 'undefined' };" },
    });
    const result = await call(tool.id, { a: 2, b: 40 });
    expect(result.output).toEqual({ sum: 42, hasProcess: false });
    expect(result.detail).toMatchObject({ logs: ["adding"], kind: "code", tool: "add", version: 1 });
  });

  it("stops code that overruns its CPU limit with tool_error naming the limit", async () => {
    const tool = await createTool(member, { kind: "code", name: "spin", inputSchema: { type: "object" }, config: { code: "while (true) {}", timeoutMs: 200 } });
    await expect(call(tool.id, {})).rejects.toMatchObject({ code: "tool_error", message: expect.stringMatching(/time limit of 200 ms/) });
  });
});

describe("workflow tools", () => {
  it("runs the published version with the input as Start inputs and returns the run's output", async () => {
    const graph: Graph = {
      version: 1,
      nodes: [
        { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "who", label: "Who", type: "string", required: true, description: "Name to greet" }] } },
        { id: "greet", type: "template", position: { x: 300, y: 0 }, data: { template: "Hello, {{ start.who }}!" } },
        { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "greeting", value: "{{ greet.text }}" }] } },
      ],
      edges: [
        { id: "e1", source: "start", target: "greet" },
        { id: "e2", source: "greet", target: "end" },
      ],
    };
    const workflow = await createWorkflow(member, { name: "Greeter", graph });
    await expect(createTool(member, { kind: "workflow", name: "greeter", config: { workflowId: workflow.id } })).rejects.toMatchObject({ code: "invalid_request" });
    await publishWorkflow(member, workflow.id);
    const tool = await createTool(member, { kind: "workflow", name: "greeter", config: { workflowId: workflow.id, timeoutMs: 30_000 } });
    expect(tool.inputSchema).toEqual({ type: "object", properties: { who: { type: "string", description: "Who: Name to greet" } }, required: ["who"], additionalProperties: false });

    const result = await call(tool.id, { who: "Ada" });
    expect(result.output).toEqual({ greeting: "Hello, Ada!" });
    const runId = (result.detail as { runId: string }).runId;
    const run = await db().run.findUniqueOrThrow({ where: { id: runId } });
    expect(run.workflowVersionId).not.toBeNull();
    await expect(call(tool.id, { who: 42 })).rejects.toMatchObject({ code: "tool_error" });
  });
});

describe("the tool console route", () => {
  it("runs a tool for editors and shows the output or the error with timing; viewers get 403", async () => {
    const tool = await createTool(member, {
      kind: "code",
      name: "shout",
      inputSchema: { type: "object", properties: { text: { type: "string" } }, required: ["text"] },
      config: { code: "return { text: inputs.text.toUpperCase() };" },
    });
    const editor = await signUpUser("Kinds Editor");
    await db().membership.create({ data: { userId: editor.userId, workspaceId: owner.workspaceId, role: "editor" } });
    const editorCookie = `${editor.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}`;

    const ok = await testRoute.POST(routeRequest("POST", `/api/tools/${tool.id}/test`, editorCookie, { input: { text: "hi" } }), routeParams(tool.id));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ ok: true, output: { text: "HI" }, durationMs: expect.any(Number) });

    const bad = await testRoute.POST(routeRequest("POST", `/api/tools/${tool.id}/test`, editorCookie, { input: {} }), routeParams(tool.id));
    expect(await bad.json()).toMatchObject({ ok: false, error: { code: "tool_error", message: expect.stringContaining("input schema") } });

    const viewer = await signUpUser("Kinds Viewer");
    await db().membership.create({ data: { userId: viewer.userId, workspaceId: owner.workspaceId, role: "viewer" } });
    const viewerCookie = `${viewer.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}`;
    expect((await testRoute.POST(routeRequest("POST", `/api/tools/${tool.id}/test`, viewerCookie, { input: { text: "hi" } }), routeParams(tool.id))).status).toBe(403);
    // Viewers may list tools but not register them.
    expect((await toolsRoute.GET(routeRequest("GET", "/api/tools", viewerCookie))).status).toBe(200);
    expect((await toolsRoute.POST(routeRequest("POST", "/api/tools", viewerCookie, { kind: "code", name: "x", inputSchema: { type: "object" }, config: { code: "return {}" } }))).status).toBe(403);
  });
});

describe("/api/v1/tools", () => {
  it("lists and registers tools with the tools scopes; refuses missing keys and scopes; keeps workspaces apart", async () => {
    const developer = await createTestMember("developer");
    const writer = clientFor((await createKey(developer, ["tools:read", "tools:write"])).secret);
    const reader = clientFor((await createKey(developer, ["tools:read"])).secret);

    const registered = await writer.registerTool({
      kind: "http",
      name: "get_weather",
      description: "Weather for a city",
      inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
      config: { url: "https://weather.example.com/v1?city={{ city }}", auth: { type: "bearer", secret: "WEATHER_TOKEN" } },
    });
    expect(registered).toMatchObject({ kind: "http", name: "get_weather", version: 1, enabled: true });
    expect(registered).not.toHaveProperty("config");
    expect((await reader.listTools()).map((t) => t.name)).toEqual(["get_weather"]);

    const imported = await writer.importOpenApiTools({ text: readFileSync(new URL("../fixtures/openapi/petstore-swagger2.json", import.meta.url), "utf8"), operations: ["GET /pets"] });
    expect(imported.tools.map((t) => t.name)).toEqual(["listPets"]);

    await expect(reader.registerTool({ kind: "code", name: "nope", inputSchema: { type: "object" }, config: { code: "return {}" } })).rejects.toMatchObject({ status: 403, code: "forbidden" });
    await expect(writer.registerTool({ kind: "code", name: "get_weather", inputSchema: { type: "object" }, config: { code: "return {}" } })).rejects.toMatchObject({ status: 409 });
    const invalid = await writer.registerTool({ kind: "code", name: "bad schema", inputSchema: { type: "object" }, config: { code: "return {}" } }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(WeftApiError);
    expect((invalid as WeftApiError).status).toBe(400);

    expect((await routeFetch(apiRequest("GET", "/api/v1/tools", null))).status).toBe(401);
    expect((await routeFetch(apiRequest("GET", "/api/v1/tools", "Bearer weft_not-a-real-key"))).status).toBe(401);
    const runsOnly = clientFor((await createKey(developer, ["runs:read"])).secret);
    await expect(runsOnly.listTools()).rejects.toMatchObject({ status: 403 });

    const stranger = await createTestMember("owner");
    const strangerClient = clientFor((await createKey(stranger, ["tools:read"])).secret);
    expect(await strangerClient.listTools()).toEqual([]);
  });
});
