import { z } from "zod";
import { SANDBOX_LIMITS } from "./limits";

export { SANDBOX_LIMITS };

/**
 * Messages between the sandbox pool (parent) and a sandbox child process. They travel as one JSON
 * document per line over the child's stdin (jobs and cancellations) and stdout (replies), not over
 * Node's IPC channel: Node parses IPC messages itself and throws into the parent on a malformed
 * one, while a line we read ourselves can be bounded in size, parsed in a try and validated here.
 * A child runs many jobs at once, so every reply names its job; nothing a child sends is trusted
 * until `parseReplyLine` (the envelope) and `acceptReply` (the result, for that job) accepted it.
 */

export interface SandboxJob {
  id: number;
  /** The workspace: isolates are reused only between jobs of the same scope; none means never reused. */
  scope?: string;
  /** The user's code: a function body, or a script that defines `function main(inputs)`. */
  code: string;
  inputs: Record<string, unknown>;
  timeoutMs: number;
  memoryMb: number;
  maxOutputBytes: number;
  maxLogLines: number;
  maxLogChars: number;
}

/** Stops one job: the child disposes of that job's isolate and answers it with kind "cancelled". */
export interface SandboxCancel {
  cancel: number;
}

export const SANDBOX_FAILURE_KINDS = ["syntax", "thrown", "timeout", "memory", "result", "output", "cancelled"] as const;
export type SandboxFailureKind = (typeof SANDBOX_FAILURE_KINDS)[number];

const logsSchema = z.array(z.string().max(SANDBOX_LIMITS.maxLogChars)).max(SANDBOX_LIMITS.maxLogLines);
const durationSchema = z.number().int().nonnegative().max(24 * 60 * 60_000);

export const SandboxReplySchema = z.discriminatedUnion("ok", [
  z.strictObject({
    id: z.number().int().positive(),
    ok: z.literal(true),
    json: z.string().max(SANDBOX_LIMITS.maxOutputBytes),
    logs: logsSchema,
    durationMs: durationSchema,
  }),
  z.strictObject({
    id: z.number().int().positive(),
    ok: z.literal(false),
    kind: z.enum(SANDBOX_FAILURE_KINDS),
    message: z.string().max(SANDBOX_LIMITS.maxMessageChars),
    line: z.number().int().positive().optional(),
    logs: logsSchema,
    durationMs: durationSchema,
  }),
]);
export type SandboxReply = z.infer<typeof SandboxReplySchema>;

/** The first line a child writes once it can take jobs. */
export const SandboxReadySchema = z.strictObject({ ready: z.literal(true) });

/** A reply the parent accepted: a failure as the child reported it, or the parsed result object. */
export type AcceptedReply =
  | Extract<SandboxReply, { ok: false }>
  | { id: number; ok: true; result: Record<string, unknown>; logs: string[]; durationMs: number };

export type ParsedLine<T> = { ok: true; value: T } | { ok: false; problem: string };

/**
 * JSON.parse that refuses `__proto__` keys anywhere: such a key is an own property after parsing,
 * but becomes a prototype swap as soon as someone copies the object with Object.assign or `obj[k] = v`.
 */
export function parseJsonWithoutProto(text: string): ParsedLine<unknown> {
  let protoKey = false;
  let value: unknown;
  try {
    value = JSON.parse(text, (key, v: unknown) => {
      if (key === "__proto__") protoKey = true;
      return v;
    });
  } catch {
    return { ok: false, problem: "it is not JSON" };
  }
  if (protoKey) return { ok: false, problem: 'it has a "__proto__" key' };
  return { ok: true, value };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Parses the `json` field of a successful reply: a JSON object within the job's output limit. */
function parseResult(json: string, maxOutputBytes: number): ParsedLine<Record<string, unknown>> {
  if (Buffer.byteLength(json) > maxOutputBytes) return { ok: false, problem: `its result is larger than ${maxOutputBytes} bytes` };
  const parsed = parseJsonWithoutProto(json);
  if (!parsed.ok) return { ok: false, problem: `its result: ${parsed.problem}` };
  if (!isPlainObject(parsed.value)) return { ok: false, problem: "its result is not a JSON object" };
  return { ok: true, value: parsed.value };
}

/**
 * Validates one reply line's envelope: JSON without `__proto__` keys, in the reply schema. Anything
 * refused here cannot be attributed to a job, so the child that wrote it is not trusted any more.
 */
export function parseReplyLine(line: string): ParsedLine<SandboxReply> {
  const parsed = parseJsonWithoutProto(line);
  if (!parsed.ok) return parsed;
  const reply = SandboxReplySchema.safeParse(parsed.value);
  if (!reply.success) return { ok: false, problem: "it does not have the shape of a reply" };
  return { ok: true, value: reply.data };
}

/**
 * Accepts a validated reply for its job: a failure as the child reported it, or for a success the
 * result as a JSON object within the job's output limit. User code can shape the result (an
 * inherited `toJSON`, a `__proto__` key from JSON.parse), so a refusal here fails that job only.
 */
export function acceptReply(reply: SandboxReply, job: { maxOutputBytes: number }): ParsedLine<AcceptedReply> {
  if (!reply.ok) return { ok: true, value: reply };
  const result = parseResult(reply.json, job.maxOutputBytes);
  if (!result.ok) return result;
  const { json: _json, ...rest } = reply;
  return { ok: true, value: { ...rest, result: result.value } };
}
