import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { NodeError } from "@/lib/engine/errors";
import type { CodeRequest, CodeResponse } from "@/lib/engine/ports";
import { SANDBOX_LIMITS, type SandboxJob, type SandboxReply } from "./protocol";

/**
 * The `runCode` port: a small pool of warm sandbox child processes (child.ts). Each job runs in
 * a fresh isolate inside a child; the child is reused after a clean run and killed after any
 * failure. A job that overruns its CPU budget plus a grace period, or a cancelled run, gets its
 * child SIGKILLed, so a hostile or broken script can never hold the worker.
 */

export interface SandboxPoolOptions {
  /** Warm children kept idle between jobs. */
  idle?: number;
}

interface Child {
  process: ChildProcess;
  ready: Promise<void>;
}

const CHILD_PATH = fileURLToPath(new URL("./child.mjs", import.meta.url));

function spawnChild(): Child {
  const child = fork(CHILD_PATH, [], {
    // No secrets in the child's environment; --no-node-snapshot is what isolated-vm asks for on Node 20+.
    env: { NODE_ENV: "production" },
    execArgv: ["--no-node-snapshot"],
    stdio: ["ignore", "ignore", "pipe", "ipc"],
    serialization: "json",
  });
  child.stderr?.resume();
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if ((message as { ready?: boolean }).ready) {
        child.off("message", onMessage);
        resolve();
      }
    };
    child.on("message", onMessage);
    child.once("exit", (code) => reject(new NodeError("internal", `The code sandbox could not start (exit ${code}).`)));
  });
  ready.catch(() => undefined);
  // Idle children must not keep the worker process alive.
  child.unref();
  child.channel?.unref();
  return { process: child, ready };
}

function toError(reply: Extract<SandboxReply, { ok: false }>): NodeError {
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

export function createSandboxPool(options: SandboxPoolOptions = {}) {
  const idleTarget = options.idle ?? 1;
  const idle: Child[] = [];
  let nextId = 1;
  let closed = false;

  const take = (): Child => idle.pop() ?? spawnChild();
  const release = (child: Child) => {
    if (!closed && idle.length < idleTarget && child.process.exitCode === null && child.process.connected) idle.push(child);
    else child.process.kill("SIGKILL");
  };
  const refill = () => {
    while (!closed && idle.length < idleTarget) idle.push(spawnChild());
  };

  async function run(request: CodeRequest): Promise<CodeResponse> {
    if (closed) throw new NodeError("internal", "The code sandbox is shut down.");
    if (request.signal.aborted) throw new NodeError("cancelled", "The run was cancelled.");
    const child = take();
    await child.ready;
    if (request.signal.aborted) {
      release(child);
      throw new NodeError("cancelled", "The run was cancelled.");
    }
    const job: SandboxJob = {
      id: nextId++,
      code: request.code,
      inputs: request.inputs,
      timeoutMs: Math.min(request.timeoutMs, SANDBOX_LIMITS.maxTimeoutMs),
      memoryMb: Math.min(Math.max(request.memoryMb, SANDBOX_LIMITS.minMemoryMb), SANDBOX_LIMITS.maxMemoryMb),
      maxOutputBytes: request.maxOutputBytes,
      maxLogLines: SANDBOX_LIMITS.maxLogLines,
      maxLogChars: SANDBOX_LIMITS.maxLogChars,
    };
    const proc = child.process;
    proc.ref();
    proc.channel?.ref();
    try {
      const reply = await new Promise<SandboxReply>((resolve, reject) => {
        const cleanup = () => {
          clearTimeout(timer);
          proc.off("message", onMessage);
          proc.off("exit", onExit);
          request.signal.removeEventListener("abort", onAbort);
        };
        const onMessage = (message: SandboxReply) => {
          if (message.id !== job.id) return;
          cleanup();
          resolve(message);
        };
        const onExit = (code: number | null, signal: string | null) => {
          cleanup();
          reject(new NodeError("code_limit", `The code sandbox stopped unexpectedly (${signal ?? `exit ${code}`}); the code may have used too much memory.`));
        };
        const onAbort = () => {
          cleanup();
          proc.kill("SIGKILL");
          reject(new NodeError("cancelled", "The run was cancelled."));
        };
        // The isolate enforces the CPU budget itself; this is the backstop for anything it misses.
        const timer = setTimeout(() => {
          cleanup();
          proc.kill("SIGKILL");
          reject(new NodeError("code_limit", `The code ran longer than its time limit of ${job.timeoutMs} ms and was stopped.`));
        }, job.timeoutMs + SANDBOX_LIMITS.hardKillGraceMs);
        proc.on("message", onMessage);
        proc.once("exit", onExit);
        request.signal.addEventListener("abort", onAbort, { once: true });
        proc.send(job);
      });
      if (!reply.ok) {
        proc.kill("SIGKILL");
        throw toError(reply);
      }
      proc.unref();
      proc.channel?.unref();
      release(child);
      return { result: JSON.parse(reply.json) as Record<string, unknown>, logs: reply.logs, durationMs: reply.durationMs };
    } catch (error) {
      if (proc.exitCode === null) proc.kill("SIGKILL");
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
      for (const child of idle.splice(0)) child.process.kill("SIGKILL");
    },
  };
}

export type SandboxPool = ReturnType<typeof createSandboxPool>;
