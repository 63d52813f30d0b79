import { z } from "zod";
import { StepWarningSchema } from "@/lib/engine/warnings";
import { CitationRecordSchema } from "../knowledge/trace";

/**
 * What an Agent step records in `detail`: every model turn with the messages it was sent (new
 * ones only: turn 1 gets the prompts, later turns the tool results), its answer, the tool calls
 * it asked for with their results, timing and errors, and its usage. Isomorphic, so the run page
 * parses the stored detail with the same schema the executor writes.
 */

const UsageSchema = z.object({ promptTokens: z.number(), completionTokens: z.number(), totalTokens: z.number() });

export const AgentToolCallRecordSchema = z.object({
  /** The model's id of the call. */
  id: z.string(),
  /** Position among all the step's tool calls; the tool's idempotency key is `<step key>:<callIndex>`. */
  callIndex: z.number(),
  name: z.string(),
  toolId: z.string().nullable(),
  args: z.record(z.string(), z.unknown()),
  /** `not_run`: asked for in the last allowed iteration, so never executed. */
  status: z.enum(["ok", "error", "not_run"]),
  /** What the model was given back (cut at LIMITS.maxToolResultChars). */
  result: z.string().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  startedAt: z.string().optional(),
  durationMs: z.number().optional(),
  /** Knowledge tools: the chunks returned, with their citation numbers and sources. */
  citations: z.array(CitationRecordSchema).optional(),
  /** A tool that requires approval: how the person decided (the call ran only when approved). */
  approval: z.object({ status: z.string(), decision: z.string().optional(), by: z.string().optional(), comment: z.string().optional() }).optional(),
  /** Progress reports the tool sent while it ran (MCP), the last ones kept. */
  progress: z.array(z.object({ progress: z.number(), total: z.number().optional(), message: z.string().optional() }).passthrough()).optional(),
  /** What the tool's server asked during the call (MCP sampling and elicitation), with model use and cost. */
  serverRequests: z.record(z.string(), z.unknown()).optional(),
});
export type AgentToolCallRecord = z.infer<typeof AgentToolCallRecordSchema>;

const MessageSchema = z.object({
  role: z.string(),
  content: z.string(),
  toolCallId: z.string().optional(),
  toolCalls: z.array(z.object({ id: z.string(), name: z.string(), args: z.record(z.string(), z.unknown()) })).optional(),
});

export const AgentTurnSchema = z.object({
  iteration: z.number(),
  model: z.string(),
  messagesIn: z.array(MessageSchema),
  text: z.string(),
  toolCalls: z.array(AgentToolCallRecordSchema),
  finishReason: z.string().nullable(),
  usage: UsageSchema,
  cost: z.record(z.string(), z.number()).optional(),
  startedAt: z.string(),
  /** Time of the model call alone. */
  durationMs: z.number(),
});
export type AgentTurn = z.infer<typeof AgentTurnSchema>;

export const AGENT_STOP_REASONS = ["answer", "stop_tool", "max_iterations"] as const;
export type AgentStopReason = (typeof AGENT_STOP_REASONS)[number];

export const AgentDetailSchema = z.object({
  agent: z.literal(true),
  model: z.string(),
  tools: z.array(z.object({ id: z.string(), name: z.string(), kind: z.string() })),
  maxIterations: z.number(),
  turns: z.array(AgentTurnSchema),
  stopReason: z.enum(AGENT_STOP_REASONS).nullable(),
  temperature: z.number().nullish(),
  usage: UsageSchema,
  cost: z.record(z.string(), z.number()).optional(),
  providerId: z.string().optional(),
  /** Tool calls that failed and were not followed by a successful call of the same tool: the run shows a warning. */
  warnings: z.array(StepWarningSchema).optional(),
  /** The summary of history that fell out of memory ("summarised"; lib/nodes/memory-summary.ts). */
  memory: z
    .object({ summary: z.string(), through: z.string().optional(), cached: z.boolean(), summarisedMessages: z.number(), usage: UsageSchema.optional(), cost: z.record(z.string(), z.number()).optional() })
    .optional(),
});
export type AgentDetail = z.infer<typeof AgentDetailSchema>;

/**
 * Tool errors the agent did not recover from: a failed call with no later successful call of the
 * same tool. The model may have answered anyway, so the step succeeds, but the run shows a warning.
 */
export function unrecoveredToolErrors(turns: readonly AgentTurn[]): { code: string; message: string; tool: string }[] {
  const calls = turns.flatMap((turn) => turn.toolCalls);
  return calls
    .filter((call, index) => call.status === "error" && !calls.slice(index + 1).some((later) => later.name === call.name && later.status === "ok"))
    .map((call) => ({ code: call.error?.code ?? "tool_error", message: call.error?.message ?? "The tool call failed.", tool: call.name }));
}
