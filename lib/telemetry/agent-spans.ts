import {
  ATTR_GEN_AI_OPERATION_NAME,
  ATTR_GEN_AI_PROVIDER_NAME,
  ATTR_GEN_AI_REQUEST_MODEL,
  ATTR_GEN_AI_RESPONSE_FINISH_REASONS,
  ATTR_GEN_AI_RESPONSE_MODEL,
  ATTR_GEN_AI_SYSTEM,
  ATTR_GEN_AI_TOOL_CALL_ID,
  ATTR_GEN_AI_TOOL_NAME,
  ATTR_GEN_AI_USAGE_INPUT_TOKENS,
  ATTR_GEN_AI_USAGE_OUTPUT_TOKENS,
  GEN_AI_OPERATION_NAME_VALUE_CHAT,
  GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
} from "@opentelemetry/semantic-conventions/incubating";
import { z } from "zod";
import { AgentToolCallRecordSchema, AgentTurnSchema } from "@/lib/nodes/agent/trace";
import { childSpanId } from "./span-ids";
import { clean, costAttributes, errorAttributes, type SpanPlan } from "./span-plan";

/** The turns as run-record.ts reads them: without the messages, answers, tool arguments and results. */
const TurnsSchema = z.object({
  turns: z.array(
    AgentTurnSchema.omit({ messagesIn: true, text: true }).extend({ toolCalls: z.array(AgentToolCallRecordSchema.omit({ args: true, result: true })) }),
  ),
});

/**
 * An Agent step's inside, from what it recorded in `detail.turns` (lib/nodes/agent/trace.ts):
 * one `chat <model>` span per model turn and one `execute_tool <name>` span per tool call it ran,
 * children of the step's span, with their recorded start and duration. Nothing when the detail
 * does not parse (an older shape): the step's own span still stands.
 */
export function agentSpans(
  detail: unknown,
  step: { runId: string; nodeId: string; iteration: number; traceId: string; spanId: string },
  provider: string | undefined,
): SpanPlan[] {
  const parsed = TurnsSchema.safeParse(detail);
  if (!parsed.success) return [];
  const child = (part: string, plan: Omit<SpanPlan, "traceId" | "spanId" | "parentSpanId" | "links">): SpanPlan => ({
    ...plan,
    traceId: step.traceId,
    spanId: childSpanId(step.runId, step.nodeId, step.iteration, part),
    parentSpanId: step.spanId,
    links: [],
  });
  const spans: SpanPlan[] = [];
  parsed.data.turns.forEach((turn, t) => {
    const started = new Date(turn.startedAt);
    spans.push(
      child(`turn/${t}`, {
        name: `${GEN_AI_OPERATION_NAME_VALUE_CHAT} ${turn.model}`,
        kind: "client",
        startTime: started,
        endTime: new Date(started.getTime() + turn.durationMs),
        attributes: clean({
          [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_CHAT,
          [ATTR_GEN_AI_PROVIDER_NAME]: provider,
          [ATTR_GEN_AI_SYSTEM]: provider,
          [ATTR_GEN_AI_REQUEST_MODEL]: turn.model,
          [ATTR_GEN_AI_RESPONSE_MODEL]: turn.model,
          [ATTR_GEN_AI_RESPONSE_FINISH_REASONS]: turn.finishReason ? [turn.finishReason] : undefined,
          [ATTR_GEN_AI_USAGE_INPUT_TOKENS]: turn.usage.promptTokens,
          [ATTR_GEN_AI_USAGE_OUTPUT_TOKENS]: turn.usage.completionTokens,
          "weft.agent.iteration": turn.iteration,
          ...costAttributes(turn.cost),
        }),
        status: { code: "unset" },
      }),
    );
    for (const call of turn.toolCalls) {
      // A call asked for in the last allowed turn never ran: no span.
      if (call.status === "not_run" || !call.startedAt) continue;
      const callStarted = new Date(call.startedAt);
      spans.push(
        child(`tool/${call.callIndex}`, {
          name: `${GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL} ${call.name}`,
          kind: "internal",
          startTime: callStarted,
          endTime: new Date(callStarted.getTime() + (call.durationMs ?? 0)),
          attributes: clean({
            [ATTR_GEN_AI_OPERATION_NAME]: GEN_AI_OPERATION_NAME_VALUE_EXECUTE_TOOL,
            [ATTR_GEN_AI_TOOL_NAME]: call.name,
            [ATTR_GEN_AI_TOOL_CALL_ID]: call.id,
            "weft.tool.id": call.toolId ?? undefined,
            ...errorAttributes(call.error),
          }),
          status: call.status === "error" ? { code: "error", message: call.error?.message } : { code: "unset" },
        }),
      );
    }
  });
  return spans;
}
