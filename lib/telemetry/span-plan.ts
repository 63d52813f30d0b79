import type { Attributes } from "@opentelemetry/api";
import { ATTR_ERROR_TYPE } from "@opentelemetry/semantic-conventions";

/**
 * One span to export, fully decided before the SDK sees it (ids, times, attributes, status), so
 * building spans stays pure (run-spans.ts, agent-spans.ts) and lib/telemetry/exporter.ts only
 * hands them to the OpenTelemetry SDK.
 */
export interface SpanPlan {
  name: string;
  traceId: string;
  spanId: string;
  /** The parent in the same trace: the run span for steps, the step for an Agent's turns and tool calls, the parent run's step for a sub-workflow's run. */
  parentSpanId?: string;
  /** `client` for a model call (GenAI inference spans), `internal` for the rest. */
  kind: "internal" | "client";
  /** Related spans in other traces (the run a resume or re-run came from). */
  links: { traceId: string; spanId: string; attributes: Attributes }[];
  startTime: Date;
  endTime: Date;
  attributes: Attributes;
  status: { code: "unset" | "error"; message?: string };
}

/**
 * Cost by currency ({ USD: 0.004 }) as `weft.cost.usd`; with a single currency also
 * `gen_ai.usage.cost` and `weft.cost.currency` (what LLM-observability backends read).
 */
export function costAttributes(cost: unknown): Attributes {
  const amounts = Object.entries(asRecord(cost) ?? {}).filter((entry): entry is [string, number] => typeof entry[1] === "number");
  const attributes: Attributes = Object.fromEntries(amounts.map(([currency, amount]) => [`weft.cost.${currency.toLowerCase()}`, amount]));
  if (amounts.length === 1) {
    attributes["gen_ai.usage.cost"] = amounts[0]![1];
    attributes["weft.cost.currency"] = amounts[0]![0];
  }
  return attributes;
}

export function errorAttributes(error: { code: string; message: string } | undefined): Attributes {
  return error ? { [ATTR_ERROR_TYPE]: error.code, "weft.error.message": error.message } : {};
}

export function errorInfo(value: unknown): { code: string; message: string } | undefined {
  const error = asRecord(value);
  if (!error) return undefined;
  return { code: typeof error.code === "string" ? error.code : "error", message: typeof error.message === "string" ? error.message : "" };
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Drops absent values (OTel attributes have no null). */
export function clean(attributes: Record<string, Attributes[string] | null>): Attributes {
  return Object.fromEntries(Object.entries(attributes).filter(([, value]) => value !== undefined && value !== null)) as Attributes;
}

export const later = (end: Date, start: Date) => (end.getTime() < start.getTime() ? start : end);
