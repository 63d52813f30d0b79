import { spawn as nodeSpawn, type ChildProcess, type SpawnOptions } from "node:child_process";
import { fileURLToPath } from "node:url";
import { NodeError } from "@/lib/engine/errors";
import { SANDBOX_LIMITS } from "./limits";
import { lineSplitter } from "./line-reader";
import { acceptReply, parseJsonWithoutProto, parseReplyLine, SandboxReadySchema, type AcceptedReply, type SandboxCancel, type SandboxJob } from "./protocol";

/**
 * The parent's handle on one long-lived sandbox child process (child.mjs), which runs many jobs at
 * once, each reply naming its job. Whatever the child does — write garbage, oversized or repeated
 * lines, stay silent, exit, break its pipes — it ends here as failed jobs and a retired child: no
 * exception ever leaves this module into the worker. The child takes new jobs only while every line
 * it wrote parsed and validated; a broken line retires it (its jobs fail), an answer to a job it
 * does not hold stops it taking new ones (its other jobs may still finish), and the pool starts a
 * replacement in the background either way.
 */

export const DEFAULT_CHILD_PATH = fileURLToPath(new URL("./child.mjs", import.meta.url));

/** How the pool starts a child; tests wrap it to count forks. */
export type SpawnSandbox = (command: string, args: readonly string[], options: SpawnOptions) => ChildProcess;

type State = "starting" | "serving" | "draining" | "retired";

interface Caller {
  resolve: (reply: AcceptedReply) => void;
  reject: (error: NodeError) => void;
}

interface Entry {
  job: SandboxJob;
  /** Gone once the caller was answered early (cancelled): the child's reply then only frees the slot. */
  caller?: Caller;
  timer: NodeJS.Timeout;
}

const brokenReply = (problem: string) =>
  new NodeError("code_error", `The code sandbox sent a reply that cannot be used (${problem}); the job was stopped and the sandbox process replaced.`);
const refusedResult = (problem: string) => new NodeError("code_error", `The code sandbox sent a reply that cannot be used (${problem}).`);
const processStopped = (reason: string) =>
  new NodeError("code_limit", `The code sandbox process running this job was stopped (${reason}); the job did not finish.`);

export interface SandboxProcessOptions {
  /** The child script; tests point this at hostile stand-ins. */
  childPath?: string;
  spawn?: SpawnSandbox;
  /** Brand-new isolates the child keeps prepared ahead of jobs (argv to child.mjs). */
  warmIsolates?: number;
  /** The child is ready, or a slot freed: the pool may hand it queued jobs. */
  onCapacity?: (child: SandboxProcess) => void;
  /** Called once when the child stops taking jobs for good (misbehaved, exited, killed): start a replacement. */
  onLeave?: (child: SandboxProcess) => void;
  /** Called once when the child is gone and holds no job. */
  onRetire?: (child: SandboxProcess) => void;
}

export class SandboxProcess {
  readonly ready: Promise<void>;
  /** Why the child stopped taking jobs, once it did. */
  leaveReason: string | undefined;
  /** True once the child said it was ready (a child that never did counts as a failed start). */
  started = false;
  private readonly proc: ChildProcess;
  private state: State = "starting";
  private readonly jobs = new Map<number, Entry>();
  private markReady: () => void = () => undefined;
  private failStart: (error: NodeError) => void = () => undefined;

  constructor(private readonly options: SandboxProcessOptions = {}) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.failStart = reject;
    });
    this.ready.catch(() => undefined);
    // --expose-gc lets the child collect an idle isolate instead of replacing it (child-isolates.mjs takes the global away from user code).
    const args = ["--no-node-snapshot", "--expose-gc", options.childPath ?? DEFAULT_CHILD_PATH];
    args.push(String(options.warmIsolates ?? SANDBOX_LIMITS.warmIsolatesPerProcess), String(SANDBOX_LIMITS.defaultMemoryMb), String(SANDBOX_LIMITS.idleIsolatesPerProcess));
    // No secrets in the child's environment; --no-node-snapshot is what isolated-vm asks for on Node 20+.
    this.proc = (options.spawn ?? nodeSpawn)(process.execPath, args, { env: { NODE_ENV: "production" }, stdio: ["pipe", "pipe", "pipe"] });
    this.wire();
    const startTimer = setTimeout(() => this.retire("it did not start in time"), SANDBOX_LIMITS.startTimeoutMs);
    startTimer.unref();
    const clear = () => clearTimeout(startTimer);
    void this.ready.then(clear, clear);
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Jobs holding a slot: running, or cancelled and not yet answered by the child. */
  get load(): number {
    return this.jobs.size;
  }

  /** Ready and taking jobs. */
  get serving(): boolean {
    return this.state === "serving";
  }

  get retired(): boolean {
    return this.state === "retired";
  }

  private wire(): void {
    const { proc } = this;
    // Every stream and the process itself report errors as events; unhandled, they would crash the worker.
    proc.on("error", (error) => this.retire(`it failed: ${error.message}`));
    proc.stdin?.on("error", () => this.retire("its input pipe broke"));
    proc.stdout?.on("error", () => this.retire("its output pipe broke"));
    // A closed output usually means the process is exiting: give its exit (and its reason) a moment to arrive first.
    proc.stdout?.on("end", () => setTimeout(() => this.retire("its output closed"), 200).unref());
    proc.stderr?.on("error", () => undefined);
    proc.stderr?.resume();
    proc.once("exit", (code, signal) => {
      const how = signal ?? `exit ${code}`;
      this.retire(`it exited (${how})`, new NodeError("code_limit", `The code sandbox process stopped unexpectedly (${how}) while this job ran; the job did not finish.`));
    });
    const onOversize = () => this.retire("its reply is larger than the limit", brokenReply("it is too large"));
    proc.stdout?.on("data", lineSplitter(SANDBOX_LIMITS.maxReplyLineBytes, (line) => this.onLine(line), onOversize));
    // Idle children must not keep the worker process alive; a job's own timer does while it runs.
    proc.unref();
    for (const stream of [proc.stdin, proc.stdout, proc.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  private onLine(line: string): void {
    if (this.state === "retired") return;
    if (this.state === "starting") return this.onReadyLine(line);
    const parsed = parseReplyLine(line);
    if (!parsed.ok) return this.retire(`reply refused: ${parsed.problem}`, brokenReply(parsed.problem));
    const reply = parsed.value;
    const entry = this.jobs.get(reply.id);
    // A repeated or stale reply: the child is not trustworthy any more, but its other jobs may still get their own answers.
    if (!entry) return this.drain(`it answered job ${reply.id}, which it was not running`);
    this.jobs.delete(reply.id);
    clearTimeout(entry.timer);
    if (entry.caller) {
      const accepted = acceptReply(reply, entry.job);
      if (accepted.ok) entry.caller.resolve(accepted.value);
      else entry.caller.reject(refusedResult(accepted.problem));
    }
    this.afterJob();
  }

  private onReadyLine(line: string): void {
    const parsed = parseJsonWithoutProto(line);
    if (!parsed.ok || !SandboxReadySchema.safeParse(parsed.value).success) return this.retire("it did not start cleanly");
    this.state = "serving";
    this.started = true;
    this.markReady();
    this.options.onCapacity?.(this);
  }

  private afterJob(): void {
    if (this.state === "draining" && this.jobs.size === 0) this.retire(this.leaveReason ?? "it was drained");
    else if (this.state === "serving") this.options.onCapacity?.(this);
  }

  /**
   * Sends one job and resolves with the child's validated reply. Rejects with a NodeError on a
   * broken reply, the child's exit, the hard time limit or cancellation. The pool sends a job
   * only to a serving child with a free slot.
   */
  run(job: SandboxJob, signal: AbortSignal, hardLimitMs: number): Promise<AcceptedReply> {
    if (this.state !== "serving") return Promise.reject(new NodeError("internal", "The code sandbox process is not available."));
    let line: string;
    try {
      line = `${JSON.stringify(job)}\n`;
    } catch {
      return Promise.reject(new NodeError("code_error", "The code's inputs cannot be turned into JSON."));
    }
    return new Promise<AcceptedReply>((resolve, reject) => {
      const onAbort = () => this.cancel(job.id);
      const done = () => signal.removeEventListener("abort", onAbort);
      // The child enforces the time limit itself; past this, it has stopped answering and is killed with its jobs.
      // The error is made only then: an Error captures its stack, about 50 µs on every job otherwise.
      const overran = () => new NodeError("code_limit", `The code ran longer than its time limit of ${job.timeoutMs} ms and was stopped.`);
      const timer = setTimeout(() => this.retire("another job in it stopped answering", overran(), job.id), hardLimitMs);
      const caller: Caller = { resolve: (reply) => (done(), resolve(reply)), reject: (error) => (done(), reject(error)) };
      this.jobs.set(job.id, { job, caller, timer });
      signal.addEventListener("abort", onAbort, { once: true });
      this.write(line);
    });
  }

  /** Answers the caller at once and asks the child to dispose of that job's isolate; its slot frees when the child confirms. */
  private cancel(id: number): void {
    const entry = this.jobs.get(id);
    if (!entry?.caller || this.state === "retired") return;
    const { caller } = entry;
    entry.caller = undefined;
    clearTimeout(entry.timer);
    entry.timer = setTimeout(() => this.retire("it did not stop a cancelled job"), SANDBOX_LIMITS.cancelGraceMs);
    const cancel: SandboxCancel = { cancel: id };
    this.write(`${JSON.stringify(cancel)}\n`);
    caller.reject(new NodeError("cancelled", "The run was cancelled."));
  }

  private write(line: string): void {
    this.proc.stdin?.write(line, (error) => {
      if (error) this.retire("its input pipe broke");
    });
  }

  /** Stops taking new jobs; the child is retired once the jobs it holds are answered. */
  private drain(reason: string): void {
    if (this.state !== "serving") return;
    this.state = "draining";
    this.leave(reason);
    if (this.jobs.size === 0) this.retire(reason);
  }

  private leave(reason: string): void {
    if (this.leaveReason !== undefined) return;
    this.leaveReason = reason;
    this.options.onLeave?.(this);
  }

  /**
   * Kills the child (once) and fails every job it holds: the job `jobId` (or, without one, every
   * job) with `error`, the others with a message saying the sandbox process was stopped. Safe to
   * call any number of times, from any event.
   */
  retire(reason: string, error?: NodeError, jobId?: number): void {
    if (this.state === "retired") return;
    const wasStarting = this.state === "starting";
    this.state = "retired";
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
    if (wasStarting) this.failStart(new NodeError("internal", `The code sandbox could not start: ${reason}.`));
    const held = [...this.jobs];
    this.jobs.clear();
    for (const [id, entry] of held) {
      clearTimeout(entry.timer);
      const own = error && (jobId === undefined || jobId === id);
      entry.caller?.reject(own ? error : processStopped(reason));
    }
    this.leave(reason);
    this.options.onRetire?.(this);
  }
}
