import type { McpError } from "@modelcontextprotocol/sdk/types.js";
import type { ChatMessage, Cost } from "@/lib/engine/ports";
import { type TokenUsage, zeroUsage } from "@/lib/engine/usage";

/**
 * What a server asked of Weft during one tool call (sampling, elicitation) and how each request
 * was answered: kept in the call's trace, and its model usage and cost added to the step's.
 */

export interface SamplingExchange {
  messages: ChatMessage[];
  model: string;
  /** What the server asked for, and what Weft allowed (the caps and budgets). */
  requestedMaxTokens: number;
  maxTokens: number;
  text?: string;
  usage?: TokenUsage;
  cost?: Cost;
  error?: string;
  durationMs: number;
}

export interface ElicitationExchange {
  message: string;
  /** The fields of the Question asked (names). */
  fields: string[];
  /** accept / decline / cancel, what went back to the server; `refused` when nobody could be asked. */
  action: "accept" | "decline" | "cancel" | "refused";
  waitId?: string;
  answeredBy?: string;
  /** answered, timed_out, cancelled: how the held wait ended. */
  waitStatus?: string;
  error?: string;
}

export interface ServerRequestLog {
  sampling: SamplingExchange[];
  elicitation: ElicitationExchange[];
  usage: TokenUsage;
  cost: Cost | undefined;
  /** Requests refused (budgets, the console, unsupported content), for the call's error message. */
  refusals: string[];
  /** Set when nobody answered a question before the call's deadline: the call fails as a timeout. */
  elicitationTimedOut?: string;
}

export const newServerRequestLog = (): ServerRequestLog => ({ sampling: [], elicitation: [], usage: zeroUsage(), cost: undefined, refusals: [] });

/** The trace part of a log (empty when the server asked nothing). */
export function serverRequestTrace(log: ServerRequestLog): Record<string, unknown> {
  return {
    ...(log.sampling.length ? { sampling: { requests: log.sampling, usage: log.usage, ...(log.cost ? { cost: log.cost } : {}) } } : {}),
    ...(log.elicitation.length ? { elicitation: log.elicitation } : {}),
  };
}

/** An McpError's message without the "MCP error -32600: " the SDK puts in front. */
export const plainMessage = (error: McpError): string => error.message.replace(/^MCP error -?\d+: /, "");
