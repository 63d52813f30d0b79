import { ErrorCode, McpError, type CreateMessageRequestParams, type CreateMessageResult } from "@modelcontextprotocol/sdk/types.js";
import type { Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import type { ChatMessage, ChatRequest, ChatResponse, ToolCallStep } from "@/lib/engine/ports";
import { addUsage } from "@/lib/engine/usage";
import { addCost } from "@/lib/nodes/model-call";
import { plainMessage, type ServerRequestLog } from "./server-requests";
import type { McpSampling } from "./schema";

/**
 * Answers an MCP server's `sampling/createMessage` with the model its source's owner picked
 * (`config.server.sampling`), through the chat service the LLM node uses (LangChain, the provider's
 * limits, prices). Each request's maxTokens is clamped to the source's per-request cap and to what
 * is left of the per-call and per-run budgets; a request past a budget is refused with a message
 * that names it. Every exchange (messages, model, tokens, cost) goes into the call's log, which
 * the step's trace shows and whose usage and cost the step adds to its own.
 */

export interface SamplingDeps {
  db: Db;
  source: { id: string; name: string };
  settings: McpSampling;
  chat: (request: ChatRequest) => Promise<ChatResponse>;
  /** The step making the call; absent from the tool console (no run: no per-run budget, nothing billed to a run). */
  step?: ToolCallStep;
  idempotencyKey?: string;
}

type SamplingContent = CreateMessageRequestParams["messages"][number]["content"];

/** The text of a sampling message; other content (images, audio, tool use) is refused, since Weft's sampling passes text. */
function textOf(content: SamplingContent): string {
  const blocks = Array.isArray(content) ? content : [content];
  return blocks
    .map((block) => {
      if (block.type === "text") return block.text;
      throw new McpError(ErrorCode.InvalidParams, `Weft's sampling takes text messages only; this request carries "${block.type}" content.`);
    })
    .join("\n");
}

function chatMessages(params: CreateMessageRequestParams): ChatMessage[] {
  const messages: ChatMessage[] = params.systemPrompt ? [{ role: "system", content: params.systemPrompt }] : [];
  for (const message of params.messages) messages.push({ role: message.role, content: textOf(message.content) });
  return messages;
}

async function tokensUsedInRun(db: Db, step: ToolCallStep | undefined, sourceId: string): Promise<number> {
  if (!step) return 0;
  const row = await db.mcpSamplingUse.findUnique({ where: { runId_sourceId: { runId: step.runId, sourceId } }, select: { totalTokens: true } });
  return row?.totalTokens ?? 0;
}

async function recordRunUse(db: Db, step: ToolCallStep | undefined, sourceId: string, tokens: number): Promise<void> {
  if (!step) return;
  await db.mcpSamplingUse.upsert({
    where: { runId_sourceId: { runId: step.runId, sourceId } },
    create: { runId: step.runId, sourceId, totalTokens: tokens, requests: 1 },
    update: { totalTokens: { increment: tokens }, requests: { increment: 1 } },
  });
}

/** What is left of the budgets for one more request, or the refusal naming the budget that is spent. */
async function allowance(deps: SamplingDeps, log: ServerRequestLog): Promise<number> {
  const { settings, source } = deps;
  const leftInCall = settings.maxTokensPerCall - log.usage.totalTokens;
  if (leftInCall <= 0) {
    throw new McpError(ErrorCode.InvalidRequest, `Sampling refused: this call of ${source.name} has used its budget of ${settings.maxTokensPerCall} tokens (${log.usage.totalTokens} used).`);
  }
  const usedInRun = await tokensUsedInRun(deps.db, deps.step, source.id);
  const leftInRun = settings.maxTokensPerRun - usedInRun;
  if (deps.step && leftInRun <= 0) {
    throw new McpError(ErrorCode.InvalidRequest, `Sampling refused: this run has used the budget of ${settings.maxTokensPerRun} tokens for ${source.name} (${usedInRun} used).`);
  }
  return Math.min(settings.maxTokensPerRequest, leftInCall, deps.step ? leftInRun : Infinity);
}

export async function answerSampling(params: CreateMessageRequestParams, signal: AbortSignal, deps: SamplingDeps, log: ServerRequestLog): Promise<CreateMessageResult> {
  const index = log.sampling.length;
  const started = Date.now();
  let messages: ChatMessage[] = [];
  let maxTokens = 0;
  try {
    messages = chatMessages(params);
    maxTokens = Math.min(params.maxTokens, await allowance(deps, log));
    const response = await deps.chat({
      providerId: deps.settings.providerId,
      model: deps.settings.model,
      messages,
      maxTokens,
      ...(params.temperature !== undefined ? { temperature: params.temperature } : {}),
      signal,
      ...(deps.idempotencyKey ? { idempotencyKey: `${deps.idempotencyKey}:sampling-${index}` } : {}),
    });
    log.usage = addUsage(log.usage, response.usage);
    log.cost = addCost(log.cost, response.cost);
    await recordRunUse(deps.db, deps.step, deps.source.id, response.usage.totalTokens);
    log.sampling.push({
      messages,
      model: response.model,
      requestedMaxTokens: params.maxTokens,
      maxTokens,
      text: response.text,
      usage: response.usage,
      ...(response.cost ? { cost: response.cost } : {}),
      durationMs: Date.now() - started,
    });
    return {
      model: response.model,
      role: "assistant",
      content: { type: "text", text: response.text },
      stopReason: response.finishReason === "length" ? "maxTokens" : "endTurn",
    };
  } catch (error) {
    const refused = error instanceof McpError ? error : new McpError(ErrorCode.InternalError, `Sampling failed: ${error instanceof NodeError ? error.message : String(error)}`);
    const said = plainMessage(refused);
    log.sampling.push({ messages, model: deps.settings.model, requestedMaxTokens: params.maxTokens, maxTokens, error: said, durationMs: Date.now() - started });
    log.refusals.push(said);
    throw refused;
  }
}
