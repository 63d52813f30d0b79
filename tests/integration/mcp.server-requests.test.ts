import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { createChatService } from "@/lib/models/chat-service";
import { runEventHub } from "@/lib/runs/event-hub";
import { createHeldWaitPort } from "@/lib/runs/held-waits";
import { startRun } from "@/lib/runs/service";
import { answerWait, listPendingWaits } from "@/lib/runs/waits";
import { testTool } from "@/lib/tools/console";
import { callMcpTool } from "@/lib/tools/mcp/call";
import { createMcpPool, shutdownMcpPool } from "@/lib/tools/mcp/pool";
import { createMcpSource, syncMcpSource } from "@/lib/tools/mcp/service";
import { createWorkflow } from "@/lib/workflows/service";
import { startMcpSessionFixture, type McpSessionFixture } from "../fixtures/mcp-server-sessions";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { singleAgentGraph, singleToolGraph } from "./helpers/mcp-graphs";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Issue 14, point 2: what an MCP server asks of Weft during a tool call. Sampling is answered by
 * the source's model through the real chat service (LangChain → the OpenAI-wire test server), with
 * the caps enforced and the cost recorded; elicitation becomes a Question held on the running step
 * and answered through the wait API (refused from the console); an Agent holds a Human approval
 * before calling a tool that requires one; an Agent's MCP progress streams live on its step.
 */

let member: Member;
let fixture: McpSessionFixture;
let openai: OpenAiServer;
let worker: WorkerProcess | undefined;
let providerId: string;
const pool = createMcpPool({ idleMs: 60_000 });
const signal = () => new AbortController().signal;
const sampling = (caps: { maxTokensPerRequest?: number; maxTokensPerCall?: number; maxTokensPerRun?: number } = {}) => ({
  providerId,
  model: "test-model",
  maxTokensPerRequest: caps.maxTokensPerRequest ?? 50,
  maxTokensPerCall: caps.maxTokensPerCall ?? 1_000,
  maxTokensPerRun: caps.maxTokensPerRun ?? 10_000,
});

beforeAll(async () => {
  member = await createTestMember("developer");
  fixture = await startMcpSessionFixture("stateful");
  openai = await startOpenAiServer();
  const provider = await createTestProvider(member.workspaceId, openai.url);
  await db().modelProvider.update({ where: { id: provider.id }, data: { modelInfo: { "test-model": { inputPrice: 2, outputPrice: 10, currency: "USD" } } } });
  providerId = provider.id;
  worker = await startWorkerProcess();
});

beforeEach(() => openai.reset());

afterAll(async () => {
  await worker?.stop();
  await pool.shutdown();
  await shutdownMcpPool();
  await fixture?.close();
  await openai?.close();
  await db().$disconnect();
});

const toolNamed = (name: string) => db().tool.findFirstOrThrow({ where: { name, workspaceId: member.workspaceId } });

async function source(name: string, prefix: string, extra: Record<string, unknown>) {
  const created = await createMcpSource(member, { name, toolPrefix: prefix, config: { transport: "http", url: fixture.url, headers: {}, ...extra } }, { pool });
  const sync = await syncMcpSource(member, created.id, { pool });
  expect(sync.ok, sync.message).toBe(true);
  return created;
}

/** Polls for the pending wait a running step holds (held waits have a slot of their own). */
async function heldWait(runId: string, kind: "approval" | "question") {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const wait = await db().runWait.findFirst({ where: { runId, kind, status: "pending", slot: { not: "" } } });
    if (wait) return wait;
    if (Date.now() > deadline) throw new Error(`no pending ${kind} held on run ${runId}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("sampling", () => {
  it("is answered by the source's model through the chat service, clamped to the caps, with usage and cost in the trace", async () => {
    await source("Sampler", "sampler", { sampling: sampling() });
    const summarize = await toolNamed("sampler_summarize");
    openai.script({ text: "A short summary.", usage: { prompt_tokens: 30, completion_tokens: 10 } });
    const chat = createChatService({ db: db(), workspaceId: member.workspaceId });
    const result = await callMcpTool(db(), summarize, { text: "a long text", maxTokens: 500 }, { signal: signal(), pool, chat });

    expect(result.output).toEqual({ summary: "A short summary.", model: "test-model", stopReason: "endTurn" });
    const sent = openai.chatRequests()[0]!;
    // The server asked for 500 tokens; the source allows 50 per request.
    expect(sent.max_tokens ?? sent.max_completion_tokens).toBe(50);
    expect(sent.messages?.map((m) => m.role)).toEqual(["system", "user"]);
    expect(JSON.stringify(sent.messages)).toContain("Summarize: a long text");
    expect(result.usage).toEqual({ promptTokens: 30, completionTokens: 10, totalTokens: 40 });
    // 30 in at 2 USD and 10 out at 10 USD per million tokens.
    expect(result.cost?.USD).toBeCloseTo(0.00016, 8);
    const trace = result.detail as { sampling: { requests: { model: string; maxTokens: number; requestedMaxTokens: number; text: string }[] } };
    expect(trace.sampling.requests).toEqual([expect.objectContaining({ model: "test-model", maxTokens: 50, requestedMaxTokens: 500, text: "A short summary." })]);
  });

  it("refuses a request past the per-run budget with an error that names it", async () => {
    await source("Budgeted", "budgeted", { sampling: sampling({ maxTokensPerRequest: 100, maxTokensPerRun: 150 }) });
    const summarize = await toolNamed("budgeted_summarize");
    const chat = createChatService({ db: db(), workspaceId: member.workspaceId });
    // Runs no worker holds (never queued): the budget is counted per run.
    const newRun = async () => (await db().run.create({ data: { workspaceId: member.workspaceId, workflowName: "budget", graph: {}, inputs: {}, status: "running" } })).id;
    const step = { runId: await newRun(), nodeId: "call", iteration: 0, slot: "call" };
    openai.script({ text: "one", usage: { prompt_tokens: 80, completion_tokens: 20 } }, { text: "two", usage: { prompt_tokens: 80, completion_tokens: 20 } });
    await callMcpTool(db(), summarize, { text: "first" }, { signal: signal(), pool, chat, step });
    // 100 of 150 used: the second request may have only the 50 left.
    await callMcpTool(db(), summarize, { text: "second" }, { signal: signal(), pool, chat, step });
    expect(openai.chatRequests().map((r) => r.max_tokens ?? r.max_completion_tokens)).toEqual([100, 50]);
    const third = await callMcpTool(db(), summarize, { text: "third" }, { signal: signal(), pool, chat, step }).catch((e: unknown) => e);
    expect(third).toMatchObject({ code: "tool_error" });
    expect((third as Error).message).toMatch(/Sampling refused: this run has used the budget of 150 tokens for Budgeted \(200 used\)/);
    expect(openai.chatRequests()).toHaveLength(2);
    // Another run starts with the whole budget.
    openai.script({ text: "three" });
    const other = await callMcpTool(db(), summarize, { text: "third" }, { signal: signal(), pool, chat, step: { ...step, runId: await newRun() } });
    expect(other.output).toMatchObject({ summary: "three" });
  });

  it("is refused when the source does not enable it, and a sampling provider must be the workspace's", async () => {
    await source("No sampling", "nosampling", {});
    const summarize = await toolNamed("nosampling_summarize");
    const refused = await callMcpTool(db(), summarize, { text: "x" }, { signal: signal(), pool }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: "tool_error" });
    expect(openai.chatRequests()).toHaveLength(0);
    const foreign = await createMcpSource(member, { name: "Foreign model", config: { transport: "http", url: fixture.url, headers: {}, sampling: { ...sampling(), providerId: randomUUID() } } }, { pool }).catch((e: unknown) => e);
    expect(foreign).toMatchObject({ code: "invalid_request" });
  });

  it("in a run, the Tool step records the sampling exchange, its tokens and its cost (worker process)", async () => {
    const summarize = await toolNamed("sampler_summarize");
    openai.script({ text: "Run summary.", usage: { prompt_tokens: 100, completion_tokens: 50 } });
    const workflow = await createWorkflow(member, { name: "sampling in a run", graph: singleToolGraph(summarize.id, [{ name: "text", value: "quarterly report" }]) });
    const { runId } = await startRun(member, workflow.id, { inputs: {} });
    const run = await waitForRun(runId, 60_000);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(run.output).toEqual({ result: { summary: "Run summary.", model: "test-model", stopReason: "endTurn" } });
    const step = run.steps.find((s) => s.nodeId === "call")!;
    expect([step.promptTokens, step.completionTokens, step.totalTokens]).toEqual([100, 50, 150]);
    const detail = step.detail as { cost: { USD: number }; call: { sampling: { requests: { messages: unknown[]; model: string }[] } } };
    expect(detail.cost.USD).toBeCloseTo(0.0007, 8);
    expect(detail.call.sampling.requests[0]).toMatchObject({ model: "test-model" });
    expect(JSON.stringify(detail.call.sampling.requests[0]!.messages)).toContain("Summarize: quarterly report");
    expect((run.cost as { USD: number }).USD).toBeCloseTo(0.0007, 8);
    const used = await db().mcpSamplingUse.findFirstOrThrow({ where: { runId } });
    expect(used).toMatchObject({ totalTokens: 150, requests: 1 });
  });
});

describe("elicitation", () => {
  it("from a run becomes a Question held on the running step; the answer resumes the tool call and reaches the run", async () => {
    await source("Asker", "asker", { elicitation: true });
    const confirm = await toolNamed("asker_confirm_shipping");
    const workflow = await createWorkflow(member, { name: "elicitation in a run", graph: singleToolGraph(confirm.id, [{ name: "orderId", value: "A-7" }]) });
    const { runId } = await startRun(member, workflow.id, { inputs: {} });
    const wait = await heldWait(runId, "question");
    expect(wait.nodeId).toBe("call");
    expect(wait.request).toMatchObject({
      prompt: "Where should order A-7 ship?",
      fields: [
        expect.objectContaining({ name: "address", type: "string", required: true, label: "Address" }),
        expect.objectContaining({ name: "express", type: "boolean", required: false }),
        expect.objectContaining({ name: "_weft_decline", type: "boolean", required: false }),
      ],
    });
    // The step keeps running (its MCP call is open) and the Inbox lists the question.
    expect((await db().run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("running");
    expect((await listPendingWaits(member)).map((w) => w.id)).toContain(wait.id);

    await answerWait({ kind: "member", member }, runId, { waitId: wait.id }, { address: "1 Main St", express: true });
    const run = await waitForRun(runId, 60_000);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(run.output).toEqual({ result: { orderId: "A-7", action: "accept", content: { address: "1 Main St", express: true } } });
    const call = (run.steps.find((s) => s.nodeId === "call")!.detail as { call: { elicitation: unknown[] } }).call;
    expect(call.elicitation).toEqual([expect.objectContaining({ action: "accept", waitStatus: "answered", fields: ["address", "express"] })]);
  });

  it("a ticked Decline goes back to the server as decline", async () => {
    const confirm = await toolNamed("asker_confirm_shipping");
    const workflow = await createWorkflow(member, { name: "elicitation declined", graph: singleToolGraph(confirm.id, [{ name: "orderId", value: "A-8" }]) });
    const { runId } = await startRun(member, workflow.id, { inputs: {} });
    const wait = await heldWait(runId, "question");
    await answerWait({ kind: "member", member }, runId, { waitId: wait.id }, { address: "-", _weft_decline: true });
    const run = await waitForRun(runId, 60_000);
    expect(run.output).toEqual({ result: { orderId: "A-8", action: "decline", content: null } });
  });

  it("a held wait is not mistaken for the step's own when the run parks later and resumes", async () => {
    const confirm = await toolNamed("asker_confirm_shipping");
    const graph = singleToolGraph(confirm.id, [{ name: "orderId", value: "A-11" }]);
    // start → call (elicits, held) → ask (a Question node: the run parks) → end
    graph.nodes.splice(2, 0, {
      id: "ask",
      type: "question",
      position: { x: 450, y: 0 },
      data: { title: "", prompt: "Gift wrap?", fields: [{ name: "wrap", label: "Wrap", type: "boolean", required: true, options: [], default: null, description: "" }], timeout: null },
    });
    graph.edges = [
      { id: "e1", source: "start", target: "call" },
      { id: "e2", source: "call", target: "ask" },
      { id: "e3", source: "ask", target: "end" },
    ];
    const end = graph.nodes.find((n) => n.id === "end")!;
    end.data = { outputs: [{ name: "result", value: "{{ call.result }}" }, { name: "wrap", value: "{{ ask.wrap }}" }] };
    const workflow = await createWorkflow(member, { name: "held then parked", graph });
    const { runId } = await startRun(member, workflow.id, { inputs: {} });
    const held = await heldWait(runId, "question");
    await answerWait({ kind: "member", member }, runId, { waitId: held.id }, { address: "2 Side St" });
    const deadline = Date.now() + 30_000;
    while ((await db().run.findUniqueOrThrow({ where: { id: runId } })).status !== "waiting") {
      if (Date.now() > deadline) throw new Error("the run did not park at the Question node");
      await new Promise((r) => setTimeout(r, 100));
    }
    // By node: the Question node's own wait (its step has no held wait, but the answer route must pick the pending one).
    await answerWait({ kind: "member", member }, runId, { nodeId: "ask" }, { wrap: true });
    const run = await waitForRun(runId, 60_000);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(run.output).toEqual({ result: { orderId: "A-11", action: "accept", content: { address: "2 Side St" } }, wrap: true });
    expect(run.steps.filter((s) => s.nodeId === "call")).toHaveLength(1);
  });

  it("fails the call clearly when nobody answers before the call's timeout", async () => {
    const confirm = await toolNamed("asker_confirm_shipping");
    // A running run no worker holds (never queued): the held wait needs a run to belong to.
    const run = await db().run.create({ data: { workspaceId: member.workspaceId, workflowName: "held", graph: {}, inputs: {}, status: "running" } });
    const step = { runId: run.id, nodeId: "call", iteration: 0, slot: "call" };
    const failure = await callMcpTool(db(), confirm, { orderId: "A-10" }, { signal: signal(), pool, step, heldWaits: createHeldWaitPort(db(), member.workspaceId), timeoutMs: 2_500 }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: "timeout" });
    expect((failure as Error).message).toMatch(/Nobody answered the question of Asker \("Where should order A-10 ship\?"\) before the call's timeout \(WEFT_MCP_CALL_TIMEOUT_MS\)/);
    const wait = await db().runWait.findFirstOrThrow({ where: { runId: run.id } });
    expect(wait).toMatchObject({ kind: "question", status: "timed_out", slot: "call:elicit-1" });
    // Answering now is refused: the question is closed.
    await expect(answerWait({ kind: "member", member }, run.id, { waitId: wait.id }, { address: "late" })).rejects.toMatchObject({ code: "conflict" });
  });

  it("from the tool console is refused with a message that says why", async () => {
    const confirm = await toolNamed("asker_confirm_shipping");
    const result = await testTool(member, confirm.id, { orderId: "A-9" }, { allowPrivate: true });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe("tool_error");
    expect(result.error.message).toMatch(/the tool console cannot ask a person\. Call asker_confirm_shipping from a workflow run/);
    expect(result.detail).toMatchObject({ elicitation: [expect.objectContaining({ action: "refused" })] });
    expect(await db().runWait.count({ where: { request: { path: ["prompt"], equals: "Where should order A-9 ship?" } } })).toBe(0);
  });
});

describe("an Agent and a tool that requires approval (worker process)", () => {
  async function guardedAgentRun(prompt: string) {
    const cancel = await toolNamed("guardedagent_cancel_order");
    openai.script({ toolCalls: [{ id: "c1", name: "guardedagent_cancel_order", arguments: { orderId: "A-100" } }] }, { text: "Done." });
    const workflow = await createWorkflow(member, { name: `agent approval ${prompt}`, graph: singleAgentGraph(providerId, cancel.id, prompt) });
    return startRun(member, workflow.id, { inputs: {} });
  }

  it("approved: the Agent step holds an approval, then calls the tool; the trace shows the decision", async () => {
    await source("Guarded agent", "guardedagent", {});
    const cancel = await toolNamed("guardedagent_cancel_order");
    await db().tool.update({ where: { id: cancel.id }, data: { config: { ...(cancel.config as object), requireApproval: true } } });
    const callsBefore = fixture.calls.filter((c) => c === "cancel_order").length;
    const { runId } = await guardedAgentRun("Cancel A-100.");
    const wait = await heldWait(runId, "approval");
    expect(wait).toMatchObject({ nodeId: "agent", slot: "approval-0" });
    expect(wait.request).toMatchObject({ title: "Allow a call of guardedagent_cancel_order?" });
    expect(fixture.calls.filter((c) => c === "cancel_order")).toHaveLength(callsBefore);
    await answerWait({ kind: "member", member }, runId, { waitId: wait.id }, { decision: "approve" });
    const run = await waitForRun(runId, 60_000);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(run.warnings).toBe(0);
    expect(fixture.calls.filter((c) => c === "cancel_order")).toHaveLength(callsBefore + 1);
    const record = (run.steps.find((s) => s.nodeId === "agent")!.detail as { turns: { toolCalls: { status: string; approval: unknown; result: string }[] }[] }).turns[0]!.toolCalls[0]!;
    expect(record).toMatchObject({ status: "ok", approval: { status: "answered", decision: "approve" } });
    expect(record.result).toContain('"cancelled":true');
  });

  it("rejected: the tool is not called, the model gets the refusal, the trace and the run show it", async () => {
    const callsBefore = fixture.calls.filter((c) => c === "cancel_order").length;
    const { runId } = await guardedAgentRun("Cancel A-100 again.");
    const wait = await heldWait(runId, "approval");
    await answerWait({ kind: "member", member }, runId, { waitId: wait.id }, { decision: "reject", comment: "keep it" });
    const run = await waitForRun(runId, 60_000);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(fixture.calls.filter((c) => c === "cancel_order")).toHaveLength(callsBefore);
    const record = (run.steps.find((s) => s.nodeId === "agent")!.detail as { turns: { toolCalls: { status: string; approval: unknown; result: string }[] }[] }).turns[0]!.toolCalls[0]!;
    expect(record).toMatchObject({ status: "error", approval: { status: "answered", decision: "reject", comment: "keep it" } });
    expect(record.result).toMatch(/the call was not made\. .* rejected the tool call: keep it/);
    // The model's second turn was sent the refusal as the tool's result.
    const toolMessage = openai.chatRequests()[1]!.messages!.find((m) => m.role === "tool");
    expect(String(toolMessage?.content)).toContain("rejected the tool call: keep it");
    expect(run.warnings).toBe(1);
  });
});

describe("progress on Agent steps (worker process)", () => {
  it("an Agent's MCP tool call streams its progress live on the Agent step and keeps it in the trace", async () => {
    await source("Progress agent", "progressagent", {});
    const progress = await toolNamed("progressagent_progress_steps");
    openai.script({ toolCalls: [{ id: "p1", name: "progressagent_progress_steps", arguments: { steps: 10 } }] }, { text: "All steps done." });
    const workflow = await createWorkflow(member, { name: "agent progress", graph: singleAgentGraph(providerId, progress.id, "Work.") });
    const { runId } = await startRun(member, workflow.id, { inputs: {} });
    const live: string[] = [];
    const unsubscribe = await runEventHub().subscribe(runId, { onEvent: (event) => void (event.type === "delta" && event.nodeId === "agent" && live.push(event.text)) });
    const run = await waitForRun(runId, 60_000);
    unsubscribe();
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(live.join("")).toContain("[progressagent_progress_steps] 10/10 step 10 of 10\n");
    const record = (run.steps.find((s) => s.nodeId === "agent")!.detail as { turns: { toolCalls: { progress: { progress: number }[] }[] }[] }).turns[0]!.toolCalls[0]!;
    expect(record.progress.map((p) => p.progress)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });
});
