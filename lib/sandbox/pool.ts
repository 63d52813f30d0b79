import { NodeError } from "@/lib/engine/errors";
import type { CodeRequest, CodeResponse } from "@/lib/engine/ports";
import { SANDBOX_LIMITS } from "./limits";
import { SandboxProcess } from "./process";
import type { AcceptedReply, SandboxJob } from "./protocol";

/**
 * The `runCode` port: a small pool of warm sandbox child processes (child.mjs). Each job runs in
 * a fresh isolate inside a child. A child goes back to the idle list only after a reply that
 * parsed and validated and reported success; after anything else (a failed job, a broken or
 * repeated reply, exit, overrun, cancellation) it is killed and replaced, and only that job fails.
 * A job that overruns its CPU budget plus a grace period, or a cancelled run, gets its child
 * SIGKILLed, so a hostile or broken script can never hold the worker.
 */

export interface SandboxPoolOptions {
  /** Warm children kept idle between jobs. */
  idle?: number;
  /** The child script (default child.mjs); tests use hostile stand-ins. */
  childPath?: string;
}

function toError(reply: Extract<AcceptedReply, { ok: false }>): NodeError {
  const trace = { detail: { logs: reply.logs, durationMs: reply.durationMs, ...(reply.line ? { line: reply.line } : {}) } };
  switch (reply.kind) {
    case "timeout":
    case "memory":
    case "output":
      return new NodeError("code_limit", reply.message, { trace });
    case "syntax":
    case "thrown":
    case "result":
      return new NodeError("code_error", reply.message, { trace });
  }
}

function toJob(id: number, request: CodeRequest): SandboxJob {
  return {
    id,
    code: request.code,
    inputs: request.inputs,
    timeoutMs: Math.min(request.timeoutMs, SANDBOX_LIMITS.maxTimeoutMs),
    memoryMb: Math.min(Math.max(request.memoryMb, SANDBOX_LIMITS.minMemoryMb), SANDBOX_LIMITS.maxMemoryMb),
    maxOutputBytes: Math.min(request.maxOutputBytes, SANDBOX_LIMITS.maxOutputBytes),
    maxLogLines: SANDBOX_LIMITS.maxLogLines,
    maxLogChars: SANDBOX_LIMITS.maxLogChars,
  };
}

const cancelled = () => new NodeError("cancelled", "The run was cancelled.");

export function createSandboxPool(options: SandboxPoolOptions = {}) {
  const idleTarget = options.idle ?? 1;
  const idle: SandboxProcess[] = [];
  let nextId = 1;
  let closed = false;

  const forget = (child: SandboxProcess) => {
    const at = idle.indexOf(child);
    if (at !== -1) idle.splice(at, 1);
  };
  const spawnChild = () => new SandboxProcess({ childPath: options.childPath, onRetire: forget });
  const take = (): SandboxProcess => {
    for (let child = idle.pop(); child; child = idle.pop()) if (!child.retired) return child;
    return spawnChild();
  };
  /** Back to the idle list only if the child's last reply validated and it is still alive. */
  const release = (child: SandboxProcess) => {
    if (!closed && idle.length < idleTarget && child.reusable) idle.push(child);
    else child.retire("not needed or not reusable");
  };
  const refill = () => {
    while (!closed && idle.length < idleTarget) idle.push(spawnChild());
  };

  async function run(request: CodeRequest): Promise<CodeResponse> {
    if (closed) throw new NodeError("internal", "The code sandbox is shut down.");
    if (request.signal.aborted) throw cancelled();
    const child = take();
    try {
      await child.ready;
      if (request.signal.aborted) throw cancelled();
      const job = toJob(nextId++, request);
      const reply = await child.run(job, request.signal, job.timeoutMs + SANDBOX_LIMITS.hardKillGraceMs);
      if (!reply.ok) throw toError(reply);
      release(child);
      return { result: reply.result, logs: reply.logs, durationMs: reply.durationMs };
    } catch (error) {
      child.retire("its job failed");
      throw error;
    } finally {
      refill();
    }
  }

  return {
    run,
    /** Warm the pool ahead of the first job (optional). */
    warm: refill,
    close: () => {
      closed = true;
      for (const child of idle.splice(0)) child.retire("the pool closed");
    },
  };
}

export type SandboxPool = ReturnType<typeof createSandboxPool>;
