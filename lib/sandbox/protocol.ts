/** Messages between the sandbox pool (parent) and a sandbox child process, over Node's IPC channel. */

export interface SandboxJob {
  id: number;
  /** The user's code: a function body, or a script that defines `function main(inputs)`. */
  code: string;
  inputs: Record<string, unknown>;
  timeoutMs: number;
  memoryMb: number;
  maxOutputBytes: number;
  maxLogLines: number;
  maxLogChars: number;
}

export type SandboxFailureKind = "syntax" | "thrown" | "timeout" | "memory" | "result" | "output";

export type SandboxReply =
  | { id: number; ok: true; json: string; logs: string[]; durationMs: number }
  | { id: number; ok: false; kind: SandboxFailureKind; message: string; line?: number; logs: string[]; durationMs: number };

/** Limits of the sandbox, as data. */
export const SANDBOX_LIMITS = {
  defaultTimeoutMs: 1_000,
  maxTimeoutMs: 30_000,
  defaultMemoryMb: 64,
  minMemoryMb: 8,
  maxMemoryMb: 256,
  maxLogLines: 100,
  maxLogChars: 10_000,
  /** Wall-clock slack past the CPU budget before the parent kills the child outright. */
  hardKillGraceMs: 2_000,
} as const;
