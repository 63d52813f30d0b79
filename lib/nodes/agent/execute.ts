import { NodeError } from "@/lib/engine/errors";
import { LIMITS } from "@/lib/engine/limits";
import type { NodeContext, NodeResult } from "@/lib/engine/node-kit";
import type { ChatMessage, ChatToolSpec, ToolCall, ToolDescriptor, ToolPort } from "@/lib/engine/ports";
import { knowledgePort } from "../knowledge/execute";
import { ModelCalls } from "../model-call";
import { memoryContext } from "../memory-summary";
import type { AgentConfig } from "./definition";
import { knowledgeTools, type KnowledgeTool } from "./knowledge-tools";
import { progressLine } from "../tool/execute";
import { type AgentDetail, type AgentStopReason, type AgentToolCallRecord, type AgentTurn, unrecoveredToolErrors } from "./trace";
import { approveToolCall, type ApprovalRecord } from "./tool-approval";

/** What an Agent's tool-call record keeps of the call's own trace: progress reports and the server's requests (MCP). */
function callTrace(detail: Record<string, unknown> | undefined): Pick<AgentToolCallRecord, "progress" | "serverRequests"> {
  if (!detail) return {};
  const progress = Array.isArray(detail.progress) ? (detail.progress as AgentToolCallRecord["progress"]) : undefined;
  const serverRequests = Object.fromEntries(Object.entries(detail).filter(([key]) => key === "sampling" || key === "elicitation"));
  return { ...(progress ? { progress } : {}), ...(Object.keys(serverRequests).length ? { serverRequests } : {}) };
}

/**
 * The tool-calling loop: each iteration is one model turn; the tools it asks for run (several at
 * once, bounded by LIMITS.agentToolConcurrency) and their results go back as tool messages. It
 * ends when the model answers without calling a tool, after a successful call of a "stop after"
 * tool, or at the iteration limit (fail or return, by config). Tool failures and unknown tool
 * names are told to the model, which can recover; only cancellation (and, when configured, a
 * tool failure) ends the step. Every turn is recorded in `detail.turns` — also on failure.
 */

/** Runs `work` over `items` with at most `limit` in flight; results keep the items' order. */
export async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** What a tool returned, as the text of a tool message, cut at LIMITS.maxToolResultChars. */
export function toolResultText(output: unknown): string {
  const text = typeof output === "string" ? output : (JSON.stringify(output) ?? "null");
  if (text.length <= LIMITS.maxToolResultChars) return text;
  return `${text.slice(0, LIMITS.maxToolResultChars)}\n[cut: the result had ${text.length} characters; the first ${LIMITS.maxToolResultChars} are shown]`;
}

async function describeWorkspaceTools(ctx: NodeContext<AgentConfig>): Promise<{ port: ToolPort | undefined; tools: ToolDescriptor[] }> {
  const ids = [...new Set(ctx.config.tools)];
  if (ids.length === 0) return { port: ctx.services.tools, tools: [] };
  const port = ctx.services.tools;
  if (!port) throw new NodeError("internal", "The tool registry is not available in this environment.", { retryable: false });
  return { port, tools: await port.describe(ids) };
}

/** Workspace tools and knowledge tools; a deleted or foreign knowledge base fails the step (knowledge_not_found). */
async function describeTools(ctx: NodeContext<AgentConfig>): Promise<{ port: ToolPort | undefined; tools: ToolDescriptor[]; knowledge: KnowledgeTool[] }> {
  const { port, tools } = await describeWorkspaceTools(ctx);
  const kbIds = [...new Set(ctx.config.knowledgeBases)];
  if (kbIds.length === 0) return { port, tools, knowledge: [] };
  const kbPort = knowledgePort(ctx.services.knowledge);
  const knowledge = knowledgeTools(kbPort, await kbPort.describe(kbIds), tools.map((t) => t.name), ctx.config.knowledgeRerank);
  return { port, tools: [...tools, ...knowledge.map((k) => k.descriptor)], knowledge };
}

export async function executeAgent(ctx: NodeContext<AgentConfig>): Promise<NodeResult> {
  const { config } = ctx;
  const system = (await ctx.render(config.systemPrompt)).trim();
  const user = await ctx.render(config.userPrompt);
  const input = { systemPrompt: system, userPrompt: user, tools: config.tools, knowledgeBases: config.knowledgeBases };
  const { port, tools, knowledge } = await describeTools(ctx).catch((error: unknown) => {
    throw error instanceof NodeError ? error.withTrace({ input }) : error;
  });
  const byName = new Map(tools.map((t) => [t.name, t]));
  const knowledgeByName = new Map(knowledge.map((k) => [k.descriptor.name, k]));
  const specs: ChatToolSpec[] = tools.map((t) => ({ name: t.name, description: t.description, parameters: t.inputSchema }));
  const stopIds = new Set(config.stopAfterTools);

  const calls = new ModelCalls(ctx);
  // Summarising history that fell out of memory is a model call of its own (cached per conversation), counted with the step's.
  const memory = await memoryContext(ctx).catch((error: unknown) => {
    throw error instanceof NodeError ? error.withTrace({ input, detail: error.trace.detail }) : error;
  });
  calls.addExternal(memory.trace?.usage, memory.trace?.cost);
  const systemText = memory.system(system);
  const messages: ChatMessage[] = [
    ...(systemText ? [{ role: "system" as const, content: systemText }] : []),
    ...memory.history,
    { role: "user", content: user },
  ];
  const turns: AgentTurn[] = [];
  let model = config.model;
  let stopReason: AgentStopReason | null = null;
  const detail = (): AgentDetail => {
    const warnings = unrecoveredToolErrors(turns);
    return {
      agent: true,
      model,
      tools: tools.map((t) => ({ id: t.id, name: t.name, kind: t.kind })),
      maxIterations: config.maxIterations,
      turns,
      stopReason,
      temperature: config.temperature,
      ...calls.totals(),
      ...(memory.trace ? { memory: memory.trace } : {}),
      ...(warnings.length ? { warnings } : {}),
    };
  };
  const trace = () => ({ input, detail: detail(), usage: calls.usage });

  const notRun = (requested: ToolCall[], firstIndex: number): AgentToolCallRecord[] =>
    requested.map((call, i) => ({ id: call.id, callIndex: firstIndex + i, name: call.name, toolId: byName.get(call.name)?.id ?? null, args: call.args, status: "not_run" }));

  let sent = 0;
  let callCount = 0;
  let streamed = false;
  let text = "";

  /** Runs one call; `put` records it on the turn before it returns or throws, so a failed step shows it. */
  const runTool = async (call: ToolCall, callIndex: number, put: (record: AgentToolCallRecord) => void): Promise<void> => {
    const tool = byName.get(call.name);
    const base = { id: call.id, callIndex, name: call.name, toolId: tool?.id ?? null, args: call.args };
    const searchable = knowledgeByName.get(call.name);
    if (!tool || (!port && !searchable)) {
      const names = tools.map((t) => t.name).join(", ") || "none";
      const message = `There is no tool named "${call.name}". The tools you can call are: ${names}.`;
      put({ ...base, status: "error", error: { code: "tool_not_found", message }, result: `Error: ${message}` });
      return;
    }
    let approval: ApprovalRecord | undefined;
    if (tool.requiresApproval) {
      const asked = await approveToolCall(ctx, call.name, call.args, callIndex);
      approval = asked.approval;
      if (asked.refusal) {
        const { code, message } = asked.refusal;
        put({ ...base, status: "error", error: { code, message }, result: `Error: the call was not made. ${message}`, approval });
        return;
      }
    }
    const startedAt = new Date();
    try {
      if (searchable) {
        const { output, citations, usage, cost } = await searchable.search(call.args, ctx.signal);
        calls.addExternal(usage, cost);
        put({ ...base, status: "ok", result: toolResultText(output), startedAt: startedAt.toISOString(), durationMs: Date.now() - startedAt.getTime(), citations });
        return;
      }
      const result = await port!.call({
        toolId: tool.id,
        input: call.args,
        signal: ctx.signal,
        idempotencyKey: `${ctx.idempotencyKey}:${callIndex}`,
        // Progress of the call shows live on the Agent step, as on a Tool step.
        onProgress: (report) => ctx.emitDelta(`[${call.name}] ${progressLine(report)}`),
        step: { runId: ctx.runId, nodeId: ctx.nodeId, iteration: ctx.iteration, slot: `call-${callIndex}` },
      });
      calls.addExternal(result.usage, result.cost);
      put({ ...base, status: "ok", result: toolResultText(result.output), startedAt: startedAt.toISOString(), durationMs: result.durationMs, ...callTrace(result.detail), ...(approval ? { approval } : {}) });
    } catch (error) {
      // Cancellation and bugs end the step; a tool's own failure is something the model can react to.
      if (ctx.signal.aborted || !(error instanceof NodeError) || error.code === "cancelled") throw error;
      put({
        ...base,
        status: "error",
        error: { code: error.code, message: error.message },
        result: `Error (${error.code}): ${error.message}`,
        startedAt: startedAt.toISOString(),
        durationMs: Date.now() - startedAt.getTime(),
        ...callTrace(error.trace.detail),
        ...(approval ? { approval } : {}),
      });
      calls.addExternal(error.trace.usage, undefined);
      if (config.onToolError === "fail") {
        throw new NodeError(error.code, `Tool "${call.name}" failed: ${error.message}`, { retryable: error.retryable, cause: error, retryAfterMs: error.retryAfterMs });
      }
    }
  };

  try {
    for (let iteration = 1; ; iteration++) {
      const messagesIn = messages.slice(sent);
      const startedAt = new Date();
      let turnText = "";
      const onToken = (piece: string) => {
        // Turns are told apart in the live text by a blank line.
        if (!turnText && streamed) ctx.emitDelta("\n\n");
        turnText += piece;
        streamed = true;
        ctx.emitDelta(piece);
      };
      const response = await calls.send(messages, specs.length > 0 ? { tools: specs, onToken } : { onToken }, trace);
      model = response.model;
      const requested = response.toolCalls ?? [];
      const turn: AgentTurn = {
        iteration,
        model: response.model,
        messagesIn,
        text: response.text,
        toolCalls: [],
        finishReason: response.finishReason ?? null,
        usage: response.usage,
        ...(response.cost ? { cost: response.cost } : {}),
        startedAt: startedAt.toISOString(),
        durationMs: Date.now() - startedAt.getTime(),
      };
      turns.push(turn);
      messages.push({ role: "assistant", content: response.text, ...(requested.length > 0 ? { toolCalls: requested } : {}) });
      // The turn records its own answer as text and toolCalls, so the next turn's messagesIn starts after it.
      sent = messages.length;
      text = response.text;

      if (requested.length === 0) {
        stopReason = "answer";
        break;
      }
      if (iteration >= config.maxIterations) {
        turn.toolCalls = notRun(requested, callCount);
        stopReason = "max_iterations";
        if (config.onMaxIterations === "fail") {
          const asked = [...new Set(requested.map((c) => c.name))].join(", ");
          throw new NodeError("limit_exceeded", `The agent reached its limit of ${config.maxIterations} iteration${config.maxIterations === 1 ? "" : "s"} and the model still asked for tools (${asked}) instead of answering.`, {
            trace: trace(),
          });
        }
        break;
      }

      const first = callCount;
      callCount += requested.length;
      // Calls not finished when the step fails stay `not_run` in the trace.
      turn.toolCalls = notRun(requested, first);
      const positions = requested.map((_, i) => i);
      await mapBounded(positions, LIMITS.agentToolConcurrency, (i) => runTool(requested[i], first + i, (record) => (turn.toolCalls[i] = record)));
      for (const record of turn.toolCalls) messages.push({ role: "tool", toolCallId: record.id, content: record.result ?? "" });
      if (turn.toolCalls.some((r) => r.status === "ok" && r.toolId !== null && stopIds.has(r.toolId))) {
        stopReason = "stop_tool";
        break;
      }
    }
  } catch (error) {
    throw error instanceof NodeError ? error.withTrace(trace()) : error;
  }

  const toolCalls = turns.flatMap((turn) =>
    turn.toolCalls.map((r) => ({
      iteration: turn.iteration,
      tool: r.name,
      toolId: r.toolId,
      args: r.args,
      status: r.status,
      ...(r.status === "ok" ? { result: r.result } : {}),
      ...(r.error ? { error: r.error } : {}),
      ...(r.citations ? { citations: r.citations } : {}),
    })),
  );
  return {
    output: { text, toolCalls, iterations: turns.length, stopReason, usage: calls.usage },
    input,
    detail: detail(),
    usage: calls.usage,
  };
}
