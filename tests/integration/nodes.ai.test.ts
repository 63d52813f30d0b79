import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph, GraphNode } from "@/lib/engine/graph";
import { AgentDetailSchema } from "@/lib/nodes/agent/trace";
import { startRun } from "@/lib/runs/service";
import { readFileSync } from "node:fs";
import { importOpenApi } from "@/lib/tools/openapi";
import { createTool } from "@/lib/tools/service";
import { createWorkflow } from "@/lib/workflows/service";
import { startCountingServer, type CountingServer } from "../fixtures/counting-server";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * The AI nodes end to end: a real worker process, the OpenAI-wire test server scripted turn by
 * turn, and (for Agent and Tool) an HTTP tool registered through the tools service that calls a
 * counting HTTP server on loopback.
 */

let openai: OpenAiServer;
let api: CountingServer;
let worker: WorkerProcess;
let member: Member;
let providerId: string;

const at = (x: number) => ({ x, y: 0 });
const startNode = (name: string): GraphNode => ({
  id: "start",
  type: "start",
  position: at(0),
  data: { inputs: [{ name, label: "", type: "string", required: true, description: "" }] },
});
const endNode = (outputs: Record<string, string>, x = 900): GraphNode => ({
  id: "end",
  type: "end",
  position: at(x),
  data: { outputs: Object.entries(outputs).map(([name, value]) => ({ name, value })) },
});
const line = (...ids: string[]) => ids.slice(1).map((target, i) => ({ id: `e${i}`, source: ids[i]!, target }));

async function run(graph: Graph, inputs: Record<string, unknown>) {
  const workflow = await createWorkflow(member, { name: `ai ${Math.random().toString(36).slice(2, 8)}`, graph });
  const { runId } = await startRun(member, workflow.id, { inputs });
  return { runId, run: await waitForRun(runId, 60_000) };
}

async function weatherTool(name = "get_weather") {
  return createTool(member, {
    kind: "http",
    name,
    description: "Current weather of a city",
    inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
    outputSchema: { type: "object", properties: { celsius: { type: "number" }, sky: { type: "string" } } },
    config: { method: "POST", url: `${api.url}/weather`, bodyMode: "input" },
  });
}

beforeAll(async () => {
  [openai, api] = await Promise.all([startOpenAiServer(), startCountingServer()]);
  member = await createTestMember("owner");
  providerId = (await createTestProvider(member.workspaceId, openai.url)).id;
  worker = await startWorkerProcess();
});

afterAll(async () => {
  await worker?.stop();
  await Promise.all([openai?.close(), api?.close()]);
  await db().$disconnect();
});

beforeEach(() => {
  openai.reset();
  api.reset();
});

describe("Agent node through a real worker", () => {
  it("calls a sandboxed code tool and an operation imported from an OpenAPI document in one turn", async () => {
    api.on("/v2/orders/A-17/lines/2", () => ({ body: { sku: "T1", quantity: 3 } }));
    const add = await createTool(member, {
      kind: "code",
      name: "add_numbers",
      description: "Adds two numbers",
      inputSchema: { type: "object", properties: { a: { type: "number" }, b: { type: "number" } }, required: ["a", "b"] },
      config: { code: "return { sum: inputs.a + inputs.b };" },
    });
    const spec = readFileSync(new URL("../fixtures/openapi/orders-openapi3.yaml", import.meta.url), "utf8");
    const imported = await importOpenApi(member, { text: spec, sourceName: "Orders for the agent", baseUrl: `${api.url}/v2`, operations: ["GET /orders/{orderId}/lines/{lineNo}"], auth: { type: "none" } });
    const orderLine = imported.tools.find((t) => t.name === "getOrderLine")!;
    openai.script(
      {
        text: "",
        toolCalls: [
          { id: "call_add", name: "add_numbers", arguments: { a: 2, b: 40 } },
          { id: "call_line", name: "getOrderLine", arguments: { orderId: "A-17", lineNo: 2 } },
        ],
      },
      { text: "The sum is 42 and line 2 of A-17 is 3 × T1." },
    );
    const graph: Graph = {
      version: 1,
      nodes: [
        startNode("question"),
        { id: "agent", type: "agent", position: at(300), data: { providerId, model: "test-model", userPrompt: "{{ start.question }}", tools: [add.id, orderLine.id], maxIterations: 3 } },
        endNode({ answer: "{{ agent.text }}" }),
      ],
      edges: line("start", "agent", "end"),
    };
    const { run: finished } = await run(graph, { question: "Add 2 and 40, and look up line 2 of order A-17." });
    expect(finished.status, JSON.stringify(finished.error)).toBe("succeeded");
    expect(finished.output).toEqual({ answer: "The sum is 42 and line 2 of A-17 is 3 × T1." });
    // The OpenAPI operation became a real request built from its path parameters.
    expect(api.count("/v2/orders/A-17/lines/2")).toBe(1);
    // Both results went back to the model as tool messages.
    const toolMessages = openai.chatRequests()[1]!.messages!.filter((m) => m.role === "tool");
    expect(toolMessages).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ tool_call_id: "call_add", content: JSON.stringify({ sum: 42 }) }),
        expect.objectContaining({ tool_call_id: "call_line", content: expect.stringContaining('"quantity":3') }),
      ]),
    );
  });

  it("calls the HTTP tool with the model's arguments, feeds the result back and records every turn", async () => {
    api.on("/weather", (request) => ({ body: { city: (JSON.parse(request.body) as { city: string }).city, celsius: 12, sky: "cloudy" } }));
    const tool = await weatherTool();
    openai.script({ text: "Checking.", toolCalls: [{ id: "call_1", name: "get_weather", arguments: { city: "Oslo" } }] }, { text: "It is 12 °C and cloudy in Oslo." });
    const graph: Graph = {
      version: 1,
      nodes: [
        startNode("question"),
        {
          id: "agent",
          type: "agent",
          position: at(300),
          data: { providerId, model: "test-model", systemPrompt: "Use the tools.", userPrompt: "{{ start.question }}", tools: [tool.id], maxIterations: 3 },
        },
        endNode({ answer: "{{ agent.text }}", iterations: "{{ agent.iterations }}", calls: "{{ agent.toolCalls }}" }),
      ],
      edges: line("start", "agent", "end"),
    };
    const { runId, run: finished } = await run(graph, { question: "Weather in Oslo?" });
    expect(finished.status, JSON.stringify(finished.error)).toBe("succeeded");

    // The tool was called once, with the model's arguments and the per-call idempotency key.
    expect(api.count("/weather")).toBe(1);
    expect(JSON.parse(api.requests[0]!.body)).toEqual({ city: "Oslo" });
    expect(api.requests[0]!.headers["idempotency-key"]).toBe(`${runId}:agent:0:0`);

    expect(finished.output).toEqual({
      answer: "It is 12 °C and cloudy in Oslo.",
      iterations: 2,
      calls: [{ iteration: 1, tool: "get_weather", toolId: tool.id, args: { city: "Oslo" }, status: "ok", result: '{"city":"Oslo","celsius":12,"sky":"cloudy"}' }],
    });

    // The model got the tools on turn 1 and the tool result on turn 2.
    const [first, second] = openai.chatRequests();
    expect(JSON.stringify(first!.tools)).toContain('"name":"get_weather"');
    const toolMessage = second!.messages!.find((m) => m.role === "tool");
    expect(toolMessage).toMatchObject({ tool_call_id: "call_1", content: '{"city":"Oslo","celsius":12,"sky":"cloudy"}' });

    const step = finished.steps.find((s) => s.nodeId === "agent")!;
    const detail = AgentDetailSchema.parse(step.detail);
    expect(detail.stopReason).toBe("answer");
    expect(detail.turns).toHaveLength(2);
    expect(detail.turns[0]).toMatchObject({
      text: "Checking.",
      messagesIn: [
        { role: "system", content: "Use the tools." },
        { role: "user", content: "Weather in Oslo?" },
      ],
      toolCalls: [{ name: "get_weather", toolId: tool.id, status: "ok", callIndex: 0, args: { city: "Oslo" } }],
    });
    expect(detail.turns[0]!.toolCalls[0]!.durationMs).toBeGreaterThanOrEqual(0);
    expect(detail.turns[1]).toMatchObject({ text: "It is 12 °C and cloudy in Oslo.", toolCalls: [], messagesIn: [{ role: "tool", toolCallId: "call_1" }] });
    expect(detail.turns.every((t) => t.usage.totalTokens > 0)).toBe(true);
    expect(step.totalTokens).toBe(detail.turns[0]!.usage.totalTokens + detail.turns[1]!.usage.totalTokens);
  });

  it("tells the model when the tool fails (HTTP 500) and finishes with its answer", async () => {
    api.on("/weather", { status: 500, body: { error: "down" } });
    const tool = await weatherTool("weather_down");
    openai.script({ toolCalls: [{ id: "call_1", name: "weather_down", arguments: { city: "Bergen" } }] }, { text: "The weather service is down." });
    const graph: Graph = {
      version: 1,
      nodes: [
        startNode("question"),
        { id: "agent", type: "agent", position: at(300), data: { providerId, model: "test-model", userPrompt: "{{ start.question }}", tools: [tool.id] } },
        endNode({ answer: "{{ agent.text }}" }),
      ],
      edges: line("start", "agent", "end"),
    };
    const { run: finished } = await run(graph, { question: "Weather in Bergen?" });
    expect(finished.status, JSON.stringify(finished.error)).toBe("succeeded");
    expect(finished.output).toEqual({ answer: "The weather service is down." });
    const toolMessage = openai.chatRequests()[1]!.messages!.find((m) => m.role === "tool");
    expect(String(toolMessage?.content)).toMatch(/^Error \(tool_/);
    const detail = AgentDetailSchema.parse(finished.steps.find((s) => s.nodeId === "agent")!.detail);
    expect(detail.turns[0]!.toolCalls[0]).toMatchObject({ status: "error", error: { code: expect.stringMatching(/^tool_/) } });
  });

  it("fails clearly at the iteration limit and keeps every turn on the failed step", async () => {
    api.on("/weather", { body: { celsius: 1 } });
    const tool = await weatherTool("weather_loop");
    const call = (id: string) => ({ toolCalls: [{ id, name: "weather_loop", arguments: { city: "Oslo" } }] });
    openai.script(call("c1"), call("c2"));
    const graph: Graph = {
      version: 1,
      nodes: [
        startNode("question"),
        { id: "agent", type: "agent", position: at(300), data: { providerId, model: "test-model", userPrompt: "{{ start.question }}", tools: [tool.id], maxIterations: 2 } },
        endNode({ answer: "{{ agent.text }}" }),
      ],
      edges: line("start", "agent", "end"),
    };
    const { run: finished } = await run(graph, { question: "Loop?" });
    expect(finished.status).toBe("failed");
    const step = finished.steps.find((s) => s.nodeId === "agent")!;
    expect(step.error).toMatchObject({ code: "limit_exceeded", message: "The agent reached its limit of 2 iterations and the model still asked for tools (weather_loop) instead of answering." });
    // The first turn's call ran; the second turn's was never executed.
    expect(api.count("/weather")).toBe(1);
    const detail = AgentDetailSchema.parse(step.detail);
    expect(detail.turns.map((t) => t.toolCalls.map((c) => c.status))).toEqual([["ok"], ["not_run"]]);
    expect(step.totalTokens).toBeGreaterThan(0);
  });

  it("fails with tool_not_found when a selected tool was deleted", async () => {
    const graph: Graph = {
      version: 1,
      nodes: [
        startNode("question"),
        { id: "agent", type: "agent", position: at(300), data: { providerId, model: "test-model", userPrompt: "{{ start.question }}", tools: ["00000000-0000-4000-8000-000000000000"] } },
        endNode({ answer: "{{ agent.text }}" }),
      ],
      edges: line("start", "agent", "end"),
    };
    const { run: finished } = await run(graph, { question: "?" });
    expect(finished.status).toBe("failed");
    expect(finished.steps.find((s) => s.nodeId === "agent")!.error).toMatchObject({ code: "tool_not_found" });
    expect(openai.chatRequests()).toHaveLength(0);
  });
});

describe("Tool node through a real worker", () => {
  it("calls the tool with typed inputs and publishes result and output fields", async () => {
    api.on("/weather", { body: { celsius: 3, sky: "snow" } });
    const tool = await weatherTool("weather_direct");
    const graph: Graph = {
      version: 1,
      nodes: [
        startNode("city"),
        { id: "tool", type: "tool", position: at(300), data: { toolId: tool.id, toolName: tool.name, inputs: [{ name: "city", value: "{{ start.city }}", required: true }], outputs: [{ name: "celsius", type: "number" }, { name: "sky", type: "string" }] } },
        endNode({ celsius: "{{ tool.celsius }}", sky: "{{ tool.sky }}", raw: "{{ tool.result }}" }),
      ],
      edges: line("start", "tool", "end"),
    };
    const { runId, run: finished } = await run(graph, { city: "Tromsø" });
    expect(finished.status, JSON.stringify(finished.error)).toBe("succeeded");
    expect(finished.output).toEqual({ celsius: 3, sky: "snow", raw: { celsius: 3, sky: "snow" } });
    expect(JSON.parse(api.requests[0]!.body)).toEqual({ city: "Tromsø" });
    expect(api.requests[0]!.headers["idempotency-key"]).toBe(`${runId}:tool:0`);
  });
});

describe("Classifier through a real worker", () => {
  it("takes the branch of the class the model chose and skips the others", async () => {
    openai.script({ text: '{"class": "class_2", "reason": "The app crashes."}' });
    const graph: Graph = {
      version: 1,
      nodes: [
        startNode("message"),
        {
          id: "cls",
          type: "classifier",
          position: at(300),
          data: {
            providerId,
            model: "test-model",
            input: "{{ start.message }}",
            classes: [
              { id: "class_1", name: "Billing", description: "Money matters" },
              { id: "class_2", name: "Bug", description: "Something is broken" },
            ],
          },
        },
        { id: "billing", type: "template", position: at(600), data: { template: "to billing", format: "text" } },
        { id: "bugs", type: "template", position: at(600), data: { template: "to engineering", format: "text" } },
        { id: "pick", type: "aggregate", position: at(750), data: { variables: ["billing.text", "bugs.text"] } },
        endNode({ route: "{{ pick.value }}", label: "{{ cls.label }}", reason: "{{ cls.reason }}" }),
      ],
      edges: [
        { id: "a", source: "start", target: "cls" },
        { id: "b", source: "cls", sourceHandle: "class_1", target: "billing" },
        { id: "c", source: "cls", sourceHandle: "class_2", target: "bugs" },
        { id: "d", source: "billing", target: "pick" },
        { id: "e", source: "bugs", target: "pick" },
        { id: "f", source: "pick", target: "end" },
      ],
    };
    const { run: finished } = await run(graph, { message: "The app crashes on start" });
    expect(finished.status, JSON.stringify(finished.error)).toBe("succeeded");
    expect(finished.output).toEqual({ route: "to engineering", label: "Bug", reason: "The app crashes." });
    expect(finished.steps.find((s) => s.nodeId === "billing")!.status).toBe("skipped");
    expect(finished.steps.find((s) => s.nodeId === "cls")!.branch).toBe("class_2");
    expect(openai.chatRequests()[0]!.response_format).toEqual({ type: "json_object" });
  });
});

describe("Parameter extractor through a real worker", () => {
  it("fills the fields from the model's extract_parameters call and lists missing required ones", async () => {
    openai.script({ toolCalls: [{ id: "call_1", name: "extract_parameters", arguments: { order_id: "A-17", amount: "12.50" } }] });
    const graph: Graph = {
      version: 1,
      nodes: [
        startNode("message"),
        {
          id: "ext",
          type: "extractor",
          position: at(300),
          data: {
            providerId,
            model: "test-model",
            input: "{{ start.message }}",
            fields: [
              { name: "order_id", type: "string", required: true },
              { name: "amount", type: "number", required: true },
              { name: "email", type: "string", required: true },
            ],
          },
        },
        endNode({ order: "{{ ext.order_id }}", amount: "{{ ext.amount }}", email: "{{ ext.email }}", missing: "{{ ext.missing }}" }),
      ],
      edges: line("start", "ext", "end"),
    };
    const { run: finished } = await run(graph, { message: "Order A-17, 12.50 EUR" });
    expect(finished.status, JSON.stringify(finished.error)).toBe("succeeded");
    expect(finished.output).toEqual({ order: "A-17", amount: 12.5, email: null, missing: ["email"] });
    const request = openai.chatRequests()[0]!;
    expect(JSON.stringify(request.tools)).toContain('"name":"extract_parameters"');
    expect(JSON.stringify(request.tool_choice)).toMatch(/required|extract_parameters/);
  });

  it("falls back to JSON mode when the model answers in prose", async () => {
    openai.script({ text: "The order is A-17." }, { text: '{"order_id": "A-17"}' });
    const graph: Graph = {
      version: 1,
      nodes: [
        startNode("message"),
        { id: "ext", type: "extractor", position: at(300), data: { providerId, model: "test-model", input: "{{ start.message }}", fields: [{ name: "order_id", type: "string", required: true }] } },
        endNode({ order: "{{ ext.order_id }}" }),
      ],
      edges: line("start", "ext", "end"),
    };
    const { run: finished } = await run(graph, { message: "Order A-17" });
    expect(finished.status, JSON.stringify(finished.error)).toBe("succeeded");
    expect(finished.output).toEqual({ order: "A-17" });
    expect(openai.chatRequests()[1]!.response_format).toEqual({ type: "json_object" });
  });
});
