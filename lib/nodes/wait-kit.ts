import { z } from "zod";

/**
 * Shared by the nodes that wait for a person (Human approval, Question): the timeout setting and
 * the shape of a stored answer. Isomorphic: definitions, executors, the answer service and the
 * answer forms all read these.
 */

export const DURATION_UNITS = ["minutes", "hours", "days"] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];
const UNIT_MS: Record<DurationUnit, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

/** A wait's timeout: decimals allowed (0.05 minutes = 3 s, useful in tests), at most 365 days. */
export const WaitTimeoutSchema = z
  .object({ amount: z.number().positive().max(525_600), unit: z.enum(DURATION_UNITS) })
  .refine((t) => t.amount * UNIT_MS[t.unit] <= 365 * 86_400_000, "A wait can last at most 365 days.");
export type WaitTimeout = z.infer<typeof WaitTimeoutSchema>;

export const durationMs = (timeout: WaitTimeout): number => Math.round(timeout.amount * UNIT_MS[timeout.unit]);

/** When a wait that starts at `now` times out, as ISO (what `WaitRequest.timeoutAt` carries), or undefined for none. */
export function timeoutAtFrom(timeout: WaitTimeout | null | undefined, now: Date = new Date()): string | undefined {
  return timeout ? new Date(now.getTime() + durationMs(timeout)).toISOString() : undefined;
}

export function formatDuration(timeout: WaitTimeout): string {
  const unit = timeout.amount === 1 ? timeout.unit.slice(0, -1) : timeout.unit;
  return `${timeout.amount} ${unit}`;
}

/**
 * Who answered: a signed-in member or an API key (stored with the answer, shown in the trace and
 * outputs), or a chat app's signed-out visitor answering in their own conversation (id: visitor id).
 */
export const AnswererSchema = z.object({
  kind: z.enum(["user", "api_key", "visitor"]),
  id: z.string(),
  /** What the outputs and the UI show: the member's name or email, or "API key <name>". */
  name: z.string(),
});
export type Answerer = z.infer<typeof AnswererSchema>;

/** `RunWait.response` of a person's answer: the validated answer body and who gave it. */
export const StoredAnswerSchema = z.object({ answer: z.record(z.string(), z.unknown()), by: AnswererSchema });
export type StoredAnswer = z.infer<typeof StoredAnswerSchema>;

/** Names a person's answer can never use as a field (they are outputs of the wait itself). */
export const RESERVED_ANSWER_FIELDS = ["answeredBy", "answeredAt", "timedOut"] as const;
