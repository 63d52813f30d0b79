import { describe, expect, it } from "vitest";
import { NodeError } from "@/lib/engine/errors";
import { LIMITS } from "@/lib/engine/limits";
import type { NodeResult } from "@/lib/engine/node-kit";
import type { ToolDescriptor, ToolInvocation, ToolPort } from "@/lib/engine/ports";
import { AgentConfigSchema, agentNode } from "@/lib/nodes/agent/definition";
import { executeAgent, mapBounded, toolResultText } from "@/lib/nodes/agent/execute";
import { AgentDetailSchema, type AgentDetail } from "@/lib/nodes/agent/trace";
import { scriptedChat, type ScriptedChatReply } from "./ai-fakes";
import { nodeContext } from "./context";

const weather: ToolDescriptor = {
  id: "tool_weather",
  name: "get_weather",
  description: "Current weather of a city",
  kind: "http",
  inputSchema: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
};
const submit: ToolDescriptor = { id: "tool_submit", name: "submit", description: "Submits the answer", kind: "code", inputSchema: { type: "object", properties: {} } };

/** A tool registry over a few descriptors; `run` decides each call's output (or throws). */
function fakeTools(run: (invocation: ToolInvocation) => unknown | Promise<unknown> = () => ({ ok: true }), descriptors = [weather, submit]) {
  const invocations: ToolInvocation[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const port: ToolPort = {
    describe: async (ids) => {
      const missing = ids.filter((id) => !descriptors.some((d) => d.id === id));
      if (missing.length) throw new NodeError("tool_not_found", `Tool ${missing.join(", ")} does not exist in this workspace.`);
      return descriptors.filter((d) => ids.includes(d.id));
    },
    call: async (invocation) => {
      invocations.push(invocation);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      try {
        return { output: await run(invocation), durationMs: 7 };
      } finally {
        inFlight--;
      }
    },
  };
  return { port, invocations, maxInFlight: () => maxInFlight };
}

const config = AgentConfigSchema.parse({
  providerId: "prov_1",
  model: "test-model",
  systemPrompt: "You help with weather.",
  userPrompt: "Weather in {{ start.city }}?",
  tools: ["tool_weather", "tool_submit"],
});
const scope = { start: { city: "Oslo" } };
const weatherCall = (city: string, id = `call_${city}`) => ({ id, name: "get_weather", args: { city } });

async function runAgent(replies: ScriptedChatReply[], tools = fakeTools(), c = config) {
  const { chat, requests } = scriptedChat(...replies);
  const deltas: string[] = [];
  const ctx = { ...nodeContext(c, scope, { chat, tools: tools.port }), emitDelta: (t: string) => void deltas.push(t) };
  const result = (await executeAgent(ctx)) as NodeResult;
  return { result, requests, deltas, detail: AgentDetailSchema.parse(result.detail), tools };
}

async function failAgent(replies: ScriptedChatReply[], tools = fakeTools(), c = config): Promise<NodeError> {
  const { chat } = scriptedChat(...replies);
  const error = await executeAgent(nodeContext(c, scope, { chat, tools: tools.port })).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(NodeError);
  return error as NodeError;
}

describe("agent definition", () => {
  it("bounds the iterations by LIMITS and checks stop tools are selected", () => {
    expect(AgentConfigSchema.safeParse({ ...config, maxIterations: LIMITS.maxAgentIterations + 1 }).success).toBe(false);
    expect(config.maxIterations).toBe(5);
    const many = Array.from({ length: LIMITS.maxAgentTools + 1 }, (_, i) => `tool_${i}`);
    expect(AgentConfigSchema.safeParse({ ...config, tools: many }).success).toBe(false);
    expect(AgentConfigSchema.safeParse({ ...config, tools: many.slice(1) }).success).toBe(true);
    expect(agentNode.check!({ ...config, stopAfterTools: ["tool_other"] })).toEqual(['A "stop after" tool must also be one of the selected tools.']);
    expect(agentNode.check!({ ...config, tools: ["a", "a"], userPrompt: " " })).toEqual(["The user prompt is empty.", "A tool is selected twice."]);
    expect(agentNode.outputFields(config).map((f) => f.name)).toEqual(["text", "toolCalls", "iterations", "stopReason", "usage"]);
  });

  it("checks the knowledge tools' rerank model as the Knowledge node does, only when it has knowledge bases", () => {
    const kb = "00000000-0000-4000-8000-000000000001";
    const withKb = { ...config, knowledgeBases: [kb] };
    expect(agentNode.check!({ ...withKb, knowledgeRerank: { providerId: kb, model: "jina-reranker-v2" } })).toEqual([]);
    expect(agentNode.check!({ ...withKb, knowledgeRerank: { providerId: "", model: "" } })).toEqual(["Choose a provider and model for reranking (not a model alias), or turn reranking off."]);
    expect(agentNode.check!({ ...withKb, knowledgeRerank: { providerId: "", model: "rerank-v1", unresolvedProvider: "Cohere" } })).toEqual([
      'Model provider "Cohere" for reranking not found in this workspace, pick one.',
    ]);
    expect(agentNode.check!({ ...config, knowledgeRerank: { providerId: "", model: "" } })).toEqual([]);
  });
});

describe("agent loop", () => {
  it("calls the tool the model asks for, hands the result back, and returns the final answer", async () => {
    const tools = fakeTools(({ input }) => ({ city: input.city, celsius: 12 }));
    const { result, requests, detail, deltas } = await runAgent([{ text: "Let me check.", toolCalls: [weatherCall("Oslo")] }, { text: "It is 12 °C in Oslo." }], tools);

    expect(tools.invocations).toEqual([
      {
        toolId: "tool_weather",
        input: { city: "Oslo" },
        signal: expect.any(AbortSignal),
        idempotencyKey: "run_1:node_1:0:0",
        onProgress: expect.any(Function),
        step: { runId: "run_1", nodeId: "node_1", iteration: 0, slot: "call-0" },
      },
    ]);
    expect(requests[0].tools).toEqual([
      { name: "get_weather", description: "Current weather of a city", parameters: weather.inputSchema },
      { name: "submit", description: "Submits the answer", parameters: submit.inputSchema },
    ]);
    expect(requests[1].messages.slice(2)).toEqual([
      { role: "assistant", content: "Let me check.", toolCalls: [weatherCall("Oslo")] },
      { role: "tool", toolCallId: "call_Oslo", content: '{"city":"Oslo","celsius":12}' },
    ]);
    expect(requests.map((r) => r.idempotencyKey)).toEqual(["run_1:node_1:0", "run_1:node_1:0:model-1"]);

    expect(result.output).toEqual({
      text: "It is 12 °C in Oslo.",
      iterations: 2,
      stopReason: "answer",
      toolCalls: [{ iteration: 1, tool: "get_weather", toolId: "tool_weather", args: { city: "Oslo" }, status: "ok", result: '{"city":"Oslo","celsius":12}' }],
      usage: { promptTokens: 20, completionTokens: 10, totalTokens: 30 },
    });
    expect(result.usage).toEqual({ promptTokens: 20, completionTokens: 10, totalTokens: 30 });
    expect(detail.turns).toHaveLength(2);
    expect(detail.turns[0]).toMatchObject({
      iteration: 1,
      messagesIn: [
        { role: "system", content: "You help with weather." },
        { role: "user", content: "Weather in Oslo?" },
      ],
      text: "Let me check.",
      usage: { totalTokens: 15 },
      toolCalls: [{ callIndex: 0, name: "get_weather", status: "ok", durationMs: 7, startedAt: expect.any(String) }],
    });
    expect(detail.turns[1].messagesIn).toEqual([{ role: "tool", toolCallId: "call_Oslo", content: '{"city":"Oslo","celsius":12}' }]);
    expect(detail.stopReason).toBe("answer");
    expect(deltas.join("")).toBe("Let me check.\n\nIt is 12 °C in Oslo.");
  });

  it("runs parallel calls concurrently, at most LIMITS.agentToolConcurrency at once, keys in call order", async () => {
    const tools = fakeTools(async ({ input }) => {
      await new Promise((r) => setTimeout(r, 30));
      return `${String(input.city)}: sunny`;
    });
    const cities = ["a", "b", "c", "d", "e", "f"];
    const { requests, detail } = await runAgent([{ toolCalls: cities.map((c) => weatherCall(c)) }, { toolCalls: [weatherCall("g")] }, { text: "done" }], tools);
    expect(tools.maxInFlight()).toBe(LIMITS.agentToolConcurrency);
    expect(tools.invocations.map((i) => i.idempotencyKey).sort()).toEqual([0, 1, 2, 3, 4, 5, 6].map((n) => `run_1:node_1:0:${n}`).sort());
    expect(tools.invocations.find((i) => i.input.city === "g")?.idempotencyKey).toBe("run_1:node_1:0:6");
    // Tool messages follow the assistant message in the order the model asked.
    expect(requests[1].messages.filter((m) => m.role === "tool").map((m) => m.content)).toEqual(cities.map((c) => `${c}: sunny`));
    expect(detail.turns[0].toolCalls.map((r) => r.callIndex)).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("tells the model about a failing tool and an unknown tool name, and goes on", async () => {
    const tools = fakeTools(() => {
      throw new NodeError("tool_error", "The weather service answered 500.");
    });
    const { result, requests, detail } = await runAgent(
      [{ toolCalls: [weatherCall("Oslo"), { id: "call_x", name: "get_news", args: {} }] }, { text: "Sorry, the weather service is down." }],
      tools,
    );
    expect(requests[1].messages.slice(-2)).toEqual([
      { role: "tool", toolCallId: "call_Oslo", content: "Error (tool_error): The weather service answered 500." },
      { role: "tool", toolCallId: "call_x", content: 'Error: There is no tool named "get_news". The tools you can call are: get_weather, submit.' },
    ]);
    expect(result.output).toMatchObject({ text: "Sorry, the weather service is down.", stopReason: "answer" });
    expect(detail.turns[0].toolCalls.map((r) => [r.status, r.error?.code, r.toolId])).toEqual([
      ["error", "tool_error", "tool_weather"],
      ["error", "tool_not_found", null],
    ]);
    expect(tools.invocations).toHaveLength(1);
  });

  it("fails on a tool error when configured to, with the turn and the failed call in the trace", async () => {
    const tools = fakeTools(() => {
      throw new NodeError("tool_unavailable", "Upstream timed out.");
    });
    const error = await failAgent([{ toolCalls: [weatherCall("Oslo")] }], tools, { ...config, onToolError: "fail" });
    expect(error).toMatchObject({ code: "tool_unavailable", retryable: true, message: 'Tool "get_weather" failed: Upstream timed out.' });
    const detail = error.trace.detail as AgentDetail;
    expect(detail.turns[0].toolCalls[0]).toMatchObject({ status: "error", error: { code: "tool_unavailable" } });
    expect(error.trace.usage).toEqual({ promptTokens: 10, completionTokens: 5, totalTokens: 15 });
  });

  it("fails with limit_exceeded when the last allowed turn still asks for tools", async () => {
    const replies = [{ toolCalls: [weatherCall("a")] }, { toolCalls: [weatherCall("b")] }];
    const tools = fakeTools();
    const error = await failAgent(replies, tools, { ...config, maxIterations: 2 });
    expect(error).toMatchObject({ code: "limit_exceeded", message: "The agent reached its limit of 2 iterations and the model still asked for tools (get_weather) instead of answering." });
    expect(tools.invocations).toHaveLength(1);
    const detail = error.trace.detail as AgentDetail;
    expect(detail.turns.map((t) => t.toolCalls[0].status)).toEqual(["ok", "not_run"]);
    expect(detail.stopReason).toBe("max_iterations");
  });

  it("returns the last turn's text at the iteration limit when configured to", async () => {
    const { result } = await runAgent([{ text: "Still checking", toolCalls: [weatherCall("a")] }], fakeTools(), { ...config, maxIterations: 1, onMaxIterations: "return" });
    expect(result.output).toMatchObject({ text: "Still checking", iterations: 1, stopReason: "max_iterations", toolCalls: [{ tool: "get_weather", status: "not_run" }] });
  });

  it("stops right after a successful call of a stop tool", async () => {
    const { result, requests } = await runAgent([{ text: "Submitting.", toolCalls: [{ id: "s1", name: "submit", args: { answer: 4 } }] }], fakeTools(), {
      ...config,
      stopAfterTools: ["tool_submit"],
    });
    expect(requests).toHaveLength(1);
    expect(result.output).toMatchObject({ text: "Submitting.", stopReason: "stop_tool", iterations: 1, toolCalls: [{ tool: "submit", status: "ok", result: '{"ok":true}' }] });
  });

  it("answers without tools when none is selected, and needs no tool registry", async () => {
    const { chat, requests } = scriptedChat({ text: "Hello" });
    const result = (await executeAgent(nodeContext({ ...config, tools: [] }, scope, { chat }))) as NodeResult;
    expect(result.output).toMatchObject({ text: "Hello", iterations: 1, toolCalls: [] });
    expect(requests[0].tools).toBeUndefined();
  });

  it("fails with tool_not_found when a selected tool is gone, and clearly without a registry", async () => {
    const gone = await failAgent([], fakeTools(), { ...config, tools: ["tool_weather", "tool_gone"] });
    expect(gone).toMatchObject({ code: "tool_not_found", message: "Tool tool_gone does not exist in this workspace." });
    expect(gone.trace.input).toMatchObject({ userPrompt: "Weather in Oslo?" });
    const { chat } = scriptedChat();
    await expect(executeAgent(nodeContext(config, scope, { chat }))).rejects.toMatchObject({ code: "internal", message: "The tool registry is not available in this environment." });
  });

  it("keeps the turns so far when the provider fails mid-loop", async () => {
    const error = await failAgent([{ toolCalls: [weatherCall("Oslo")] }, new NodeError("provider_unavailable", "Bad gateway")]);
    expect(error).toMatchObject({ code: "provider_unavailable", retryable: true });
    expect((error.trace.detail as AgentDetail).turns).toHaveLength(1);
    expect(error.trace.usage).toEqual({ promptTokens: 10, completionTokens: 5, totalTokens: 15 });
  });
});

describe("helpers", () => {
  it("mapBounded keeps the order of the items", async () => {
    const out = await mapBounded([30, 5, 20, 1], 2, async (ms) => {
      await new Promise((r) => setTimeout(r, ms));
      return ms * 2;
    });
    expect(out).toEqual([60, 10, 40, 2]);
  });

  it("cuts long tool results for the model and says so", () => {
    const text = toolResultText("x".repeat(LIMITS.maxToolResultChars + 10));
    expect(text.startsWith("x".repeat(LIMITS.maxToolResultChars))).toBe(true);
    expect(text).toContain(`[cut: the result had ${LIMITS.maxToolResultChars + 10} characters`);
    expect(toolResultText({ a: 1 })).toBe('{"a":1}');
    expect(toolResultText(undefined)).toBe("null");
  });
});

describe("agent and a tool that requires approval", () => {
  const guarded: ToolDescriptor = { ...weather, requiresApproval: true };
  const asked: unknown[] = [];
  const heldWaits = (decision: "approve" | "reject") => ({
    hold: async (request: unknown) => {
      asked.push(request);
      return { status: "answered" as const, response: { answer: { decision, comment: "no" }, by: { kind: "user", id: "u1", name: "Ann" } }, at: new Date().toISOString() };
    },
  });

  async function run(decision: "approve" | "reject" | null) {
    const tools = fakeTools(() => ({ celsius: 3 }), [guarded, submit]);
    const { chat } = scriptedChat({ text: "", toolCalls: [weatherCall("Oslo")] }, { text: "Done." });
    const deltas: string[] = [];
    const services = { chat, tools: tools.port, ...(decision ? { heldWaits: heldWaits(decision) } : {}) };
    const ctx = { ...nodeContext(config, scope, services), emitDelta: (t: string) => void deltas.push(t) };
    const result = (await executeAgent(ctx)) as NodeResult;
    return { tools, deltas, detail: AgentDetailSchema.parse(result.detail) };
  }

  it("holds an approval on the step before the call; approved, the call runs", async () => {
    asked.length = 0;
    const { tools, detail, deltas } = await run("approve");
    expect(asked).toEqual([expect.objectContaining({ kind: "approval", step: { runId: "run_1", nodeId: "node_1", iteration: 0, slot: "approval-0" }, timeoutMs: LIMITS.agentApprovalTimeoutMs })]);
    expect(tools.invocations).toHaveLength(1);
    expect(detail.turns[0]!.toolCalls[0]).toMatchObject({ status: "ok", approval: { status: "answered", decision: "approve", by: "Ann" } });
    expect(deltas.join("")).toContain("[get_weather: waiting for a person's approval]");
  });

  it("rejected, the tool is not called and the model is told", async () => {
    const { tools, detail } = await run("reject");
    expect(tools.invocations).toHaveLength(0);
    expect(detail.turns[0]!.toolCalls[0]).toMatchObject({ status: "error", result: "Error: the call was not made. Ann rejected the tool call: no", approval: { decision: "reject" } });
    expect(detail.warnings).toHaveLength(1);
  });

  it("without a held-wait port (no run), the call is refused", async () => {
    const { tools, detail } = await run(null);
    expect(tools.invocations).toHaveLength(0);
    expect(detail.turns[0]!.toolCalls[0]!.error?.message).toMatch(/requires a person's approval before each call, and nobody can be asked here/);
  });
});
