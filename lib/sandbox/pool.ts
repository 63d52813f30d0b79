import os from "node:os";
import { NodeError } from "@/lib/engine/errors";
import type { CodeRequest, CodeResponse } from "@/lib/engine/ports";
import { SANDBOX_LIMITS } from "./limits";
import { SandboxProcess, type SpawnSandbox } from "./process";
import type { AcceptedReply, SandboxJob } from "./protocol";

/**
 * The `runCode` port: a fixed set of long-lived sandbox processes (child.mjs), started when the
 * pool is created, each running up to `jobsPerProcess` jobs at once, each in a fresh context of an
 * isolate that serves one job at a time and only one workspace. A job
 * goes to the least loaded process with a free slot, or waits in a bounded queue; the job path
 * never starts a process. A process that misbehaves or dies fails only the jobs it held and is
 * replaced in the background while the others keep serving (lib/sandbox/ARCHITECTURE.md).
 */

export interface SandboxPoolOptions {
  /** Long-lived sandbox processes (default: one per core). */
  processes?: number;
  /** Jobs one process runs at once. */
  jobsPerProcess?: number;
  /** Jobs that may wait for a free slot; past it, new jobs are refused. */
  queueLimit?: number;
  /** Isolates each process keeps prepared ahead of jobs. */
  warmIsolates?: number;
  /** The child script (default child.mjs); tests use hostile stand-ins. */
  childPath?: string;
  /** How processes are started; tests wrap it to count forks. */
  spawn?: SpawnSandbox;
  /** Where replacements are reported (the worker's logger). */
  log?: { warn: (fields: Record<string, unknown>, message: string) => void };
}

export interface SandboxPoolStats {
  /** Processes ready and taking jobs. */
  serving: number;
  pids: number[];
  /** Processes started since the pool was created (replacements included). */
  spawned: number;
  /** Jobs holding a slot in some process. */
  running: number;
  queued: number;
}

interface Waiting {
  start: (child: SandboxProcess) => void;
  fail: (error: NodeError) => void;
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
    case "cancelled":
      return new NodeError("cancelled", "The run was cancelled.", { trace });
  }
}

function toJob(id: number, request: CodeRequest, scope: string | undefined): SandboxJob {
  return {
    id,
    ...(scope ? { scope } : {}),
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

/**
 * Keeps the event loop alive until released. Sandbox processes are unref'd (idle ones must not keep
 * the worker running), so a caller waiting for one to start would otherwise see its process exit.
 */
function holdOpen(): () => void {
  const timer = setInterval(() => undefined, 60 * 60_000);
  return () => clearInterval(timer);
}

export function createSandboxPool(options: SandboxPoolOptions = {}) {
  const size = Math.max(1, options.processes ?? os.availableParallelism());
  const perProcess = Math.max(1, options.jobsPerProcess ?? SANDBOX_LIMITS.defaultJobsPerProcess);
  const queueLimit = Math.max(0, options.queueLimit ?? SANDBOX_LIMITS.defaultQueueLimit);
  /** Processes taking jobs (starting or ready); a process leaves this set when it stops for good. */
  const serving = new Set<SandboxProcess>();
  /** Every process not yet retired, draining ones included, so close() reaches them all. */
  const alive = new Set<SandboxProcess>();
  const queue: Waiting[] = [];
  let nextId = 1;
  let spawned = 0;
  /** Consecutive processes that never became ready: replacements back off while it grows. */
  let failedStarts = 0;
  let closed = false;

  const freest = (): SandboxProcess | undefined => {
    let best: SandboxProcess | undefined;
    for (const child of serving) if (child.serving && child.load < perProcess && (!best || child.load < best.load)) best = child;
    return best;
  };

  /** Hands queued jobs to processes with free slots, oldest first. */
  function dispatch(): void {
    for (let child = freest(); child && queue.length > 0; child = freest()) queue.shift()!.start(child);
  }

  function start(): void {
    spawned++;
    let child: SandboxProcess;
    try {
      child = new SandboxProcess({
        childPath: options.childPath,
        spawn: options.spawn,
        warmIsolates: options.warmIsolates,
        onCapacity: () => ((failedStarts = 0), dispatch()),
        onLeave: replace,
        onRetire: (gone) => alive.delete(gone),
      });
    } catch (error) {
      // spawn() itself threw (it usually reports errors as events): count it as a failed start.
      return startFailed(error instanceof Error ? error.message : String(error));
    }
    serving.add(child);
    alive.add(child);
  }

  /** A process stopped taking jobs: start another in the background (never on a job's path). */
  function replace(child: SandboxProcess): void {
    serving.delete(child);
    if (closed) return;
    options.log?.warn({ pid: child.pid, reason: child.leaveReason }, "sandbox process replaced");
    if (child.started) scheduleStart();
    else startFailed(child.leaveReason ?? "it stopped");
  }

  function startFailed(reason: string): void {
    failedStarts++;
    // No process is serving or starting: tell the queued jobs why instead of letting them wait.
    if (serving.size === 0) failQueue(new NodeError("internal", `The code sandbox could not start: ${reason}.`));
    scheduleStart();
  }

  /** Starts a process soon, backing off while starts keep failing. */
  function scheduleStart(): void {
    if (closed) return;
    const delay = failedStarts === 0 ? 0 : Math.min(100 * 2 ** failedStarts, SANDBOX_LIMITS.maxRestartDelayMs);
    setTimeout(() => {
      if (!closed && serving.size < size) start();
    }, delay).unref();
  }

  function failQueue(error: NodeError): void {
    for (const waiting of queue.splice(0)) waiting.fail(error);
  }

  /** Runs the job on a free slot now, or queues it (bounded); a cancelled job leaves the queue. */
  function submit(job: SandboxJob, signal: AbortSignal): Promise<AcceptedReply> {
    return new Promise<AcceptedReply>((resolve, reject) => {
      const hardLimitMs = job.timeoutMs + SANDBOX_LIMITS.hardKillGraceMs;
      let release = () => undefined as void;
      const leave = () => (signal.removeEventListener("abort", onAbort), release());
      const onAbort = () => {
        const at = queue.indexOf(waiting);
        if (at !== -1) queue.splice(at, 1);
        leave();
        reject(cancelled());
      };
      const waiting: Waiting = {
        start: (child) => {
          leave();
          child.run(job, signal, hardLimitMs).then(resolve, reject);
        },
        fail: (error) => {
          leave();
          reject(error);
        },
      };
      const child = queue.length === 0 ? freest() : undefined;
      if (child) return waiting.start(child);
      if (queue.length >= queueLimit) {
        return reject(new NodeError("limit_exceeded", `The code sandbox is busy: ${queue.length} jobs are already waiting. Try again shortly.`, { retryable: true }));
      }
      signal.addEventListener("abort", onAbort, { once: true });
      release = holdOpen();
      queue.push(waiting);
    });
  }

  /**
   * Runs one job. `workspaceId` lets the job reuse an isolate that ran earlier jobs of the same
   * workspace (in a fresh context); without it, the job's isolate is never reused.
   */
  async function run(request: CodeRequest, workspaceId?: string): Promise<CodeResponse> {
    if (closed) throw new NodeError("internal", "The code sandbox is shut down.");
    if (request.signal.aborted) throw cancelled();
    const reply = await submit(toJob(nextId++, request, workspaceId), request.signal);
    if (!reply.ok) throw toError(reply);
    return { result: reply.result, logs: reply.logs, durationMs: reply.durationMs };
  }

  // Warm from the start: the processes (and the isolates they prepare) are ready before the first job.
  for (let i = 0; i < size; i++) start();

  return {
    run: (request: CodeRequest) => run(request),
    /** The `runCode` port for one workspace: its jobs share isolates only with each other. */
    forWorkspace: (workspaceId: string) => (request: CodeRequest) => run(request, workspaceId),
    /** Resolves once every process started so far is ready (or failed to start). */
    ready: async () => {
      const release = holdOpen();
      await Promise.allSettled([...serving].map((child) => child.ready));
      release();
    },
    stats: (): SandboxPoolStats => {
      const ready = [...serving].filter((child) => child.serving);
      return {
        serving: ready.length,
        pids: ready.map((child) => child.pid).filter((pid): pid is number => pid !== undefined),
        spawned,
        running: [...alive].reduce((sum, child) => sum + child.load, 0),
        queued: queue.length,
      };
    },
    close: () => {
      closed = true;
      failQueue(new NodeError("internal", "The code sandbox is shut down."));
      for (const child of [...alive]) child.retire("the pool closed");
    },
  };
}

export type SandboxPool = ReturnType<typeof createSandboxPool>;
