import { type FailureTrace, NodeError } from "@/lib/engine/errors";
import type { NodeContext } from "@/lib/engine/node-kit";
import type { ChatMessage, ChatRequest, ChatResponse, Cost } from "@/lib/engine/ports";
import { addUsage, type TokenUsage, zeroUsage } from "@/lib/engine/usage";
import type { ModelChoice } from "./model-config";

export function addCost(a: Cost | undefined, b: Cost | undefined): Cost | undefined {
  if (!b) return a;
  const sum: Cost = { ...a };
  for (const [currency, amount] of Object.entries(b)) sum[currency] = (sum[currency] ?? 0) + amount;
  return sum;
}

type ModelConfig = ModelChoice & { temperature?: number; maxTokens?: number };

/**
 * The model calls of one step (a corrective retry, an agent's turns): each gets its own
 * idempotency key — the first the step's own, like the LLM node — and their usage and cost add
 * up. A failed call keeps what the step had done so far (`trace()`), so the failed step still
 * shows the conversation and the tokens it cost.
 */
export class ModelCalls {
  usage: TokenUsage = zeroUsage();
  cost: Cost | undefined;
  count = 0;
  /** Which provider answered last (differs from the config when a model alias fell back). */
  providerId: string | undefined;

  constructor(private readonly ctx: NodeContext<ModelConfig>) {}

  async send(
    messages: ChatMessage[],
    options: Pick<ChatRequest, "json" | "tools" | "toolChoice" | "onToken">,
    trace: () => FailureTrace,
  ): Promise<ChatResponse> {
    const { ctx } = this;
    const index = this.count++;
    let response: ChatResponse;
    try {
      response = await ctx.services.chat({
        providerId: ctx.config.providerId,
        model: ctx.config.model,
        messages,
        temperature: ctx.config.temperature,
        maxTokens: ctx.config.maxTokens,
        signal: ctx.signal,
        idempotencyKey: index === 0 ? ctx.idempotencyKey : `${ctx.idempotencyKey}:model-${index}`,
        ...options,
      });
    } catch (error) {
      if (!(error instanceof NodeError)) throw error;
      // The port's own trace (an alias's failed attempts) stays beside the step's.
      const mine = trace();
      throw error.withTrace({ usage: this.usage, ...mine, detail: { ...mine.detail, ...error.trace.detail } });
    }
    this.usage = addUsage(this.usage, response.usage);
    this.cost = addCost(this.cost, response.cost);
    this.providerId = response.providerId ?? ctx.config.providerId;
    return response;
  }

  /** Model use outside `send` (the memory summary, an MCP server's sampling requests): the step's usage and cost include it. */
  addExternal(usage: TokenUsage | undefined, cost: Cost | undefined): void {
    this.usage = addUsage(this.usage, usage);
    this.cost = addCost(this.cost, cost);
  }

  /** Usage, cost (read from `detail.cost` by lib/runs/run-cost.ts) and the answering provider, for the step's detail. */
  totals(): { usage: TokenUsage; cost?: Cost; providerId?: string } {
    return { usage: this.usage, ...(this.cost ? { cost: this.cost } : {}), ...(this.providerId ? { providerId: this.providerId } : {}) };
  }
}

/** Short, single-line quote of what the model said, for error messages. */
export function quoteAnswer(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return `"${flat.length > max ? `${flat.slice(0, max)}…` : flat}"`;
}
