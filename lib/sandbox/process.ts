import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { NodeError } from "@/lib/engine/errors";
import { SANDBOX_LIMITS } from "./limits";
import { parseJsonWithoutProto, parseReplyLine, SandboxReadySchema, type AcceptedReply, type SandboxJob } from "./protocol";

/**
 * The parent's handle on one sandbox child process (child.mjs). Whatever the child does — write
 * garbage, oversized or repeated lines, stay silent, exit, break its pipes — it ends here as a
 * failed job and a retired child: no exception ever leaves this module into the worker, and the
 * pool only reuses a child whose last reply parsed and validated (`reusable`).
 */

export const DEFAULT_CHILD_PATH = fileURLToPath(new URL("./child.mjs", import.meta.url));

type State = "starting" | "idle" | "busy" | "retired";

interface InFlight {
  job: SandboxJob;
  resolve: (reply: AcceptedReply) => void;
  reject: (error: NodeError) => void;
}

const brokenReply = (problem: string) =>
  new NodeError("code_error", `The code sandbox sent a reply that cannot be used (${problem}); the job was stopped and the sandbox process replaced.`);

/** Splits a byte stream into lines, refusing any line longer than `maxBytes` without buffering it. */
function lineSplitter(maxBytes: number, onLine: (line: string) => void, onOversize: () => void) {
  let parts: Buffer[] = [];
  let size = 0;
  return (chunk: Buffer) => {
    let start = 0;
    for (let nl = chunk.indexOf(10); nl !== -1; nl = chunk.indexOf(10, start)) {
      const piece = chunk.subarray(start, nl);
      if (size + piece.length > maxBytes) return onOversize();
      const line = Buffer.concat([...parts, piece]).toString("utf8");
      parts = [];
      size = 0;
      start = nl + 1;
      onLine(line);
    }
    const rest = chunk.subarray(start);
    if (size + rest.length > maxBytes) return onOversize();
    if (rest.length > 0) (parts.push(rest), (size += rest.length));
  };
}

export interface SandboxProcessOptions {
  /** The child script; tests point this at hostile stand-ins. */
  childPath?: string;
  /** Called once when the child is retired (it exited, misbehaved or was killed). */
  onRetire?: (child: SandboxProcess) => void;
}

export class SandboxProcess {
  readonly ready: Promise<void>;
  private readonly proc: ChildProcess;
  private state: State = "starting";
  /** A line arrived for a job other than the current one: finish the current job, then retire. */
  private tainted = false;
  private current: InFlight | undefined;
  private markReady: () => void = () => undefined;
  private failStart: (error: NodeError) => void = () => undefined;

  constructor(private readonly options: SandboxProcessOptions = {}) {
    this.ready = new Promise<void>((resolve, reject) => {
      this.markReady = resolve;
      this.failStart = reject;
    });
    this.ready.catch(() => undefined);
    this.proc = spawn(process.execPath, ["--no-node-snapshot", options.childPath ?? DEFAULT_CHILD_PATH], {
      // No secrets in the child's environment; --no-node-snapshot is what isolated-vm asks for on Node 20+.
      env: { NODE_ENV: "production" },
      stdio: ["pipe", "pipe", "pipe"],
    });
    this.wire();
    const startTimer = setTimeout(() => this.retire("it did not start in time"), SANDBOX_LIMITS.startTimeoutMs);
    startTimer.unref();
    void this.ready.then(
      () => clearTimeout(startTimer),
      () => clearTimeout(startTimer),
    );
  }

  /** True when the child is alive, idle and its last reply validated. */
  get reusable(): boolean {
    return this.state === "idle" && !this.tainted;
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
      this.retire(`it exited (${how})`, new NodeError("code_limit", `The code sandbox stopped unexpectedly (${how}); the code may have used too much memory.`));
    });
    proc.stdout?.on(
      "data",
      lineSplitter(
        SANDBOX_LIMITS.maxReplyLineBytes,
        (line) => this.onLine(line),
        () => this.retire("its reply is larger than the limit", brokenReply("it is too large")),
      ),
    );
    // Idle children must not keep the worker process alive; a job's own timer does while it runs.
    proc.unref();
    for (const stream of [proc.stdin, proc.stdout, proc.stderr]) (stream as unknown as { unref?: () => void } | null)?.unref?.();
  }

  private onLine(line: string): void {
    if (this.state === "retired") return;
    if (this.state === "starting") {
      const parsed = parseJsonWithoutProto(line);
      if (parsed.ok && SandboxReadySchema.safeParse(parsed.value).success) {
        this.state = "idle";
        this.markReady();
      } else this.retire("it did not start cleanly");
      return;
    }
    const current = this.current;
    if (!current) return this.retire("it wrote while no job was running");
    const parsed = parseReplyLine(line, current.job);
    if (!parsed.ok && parsed.otherJob) {
      // A repeated or stale reply: the child is not trustworthy any more, but the current job may still get its own answer.
      this.tainted = true;
      return;
    }
    if (!parsed.ok) return this.retire(`reply refused: ${parsed.problem}`, brokenReply(parsed.problem));
    this.current = undefined;
    this.state = "idle";
    current.resolve(parsed.value);
  }

  /**
   * Sends one job and resolves with the child's validated reply. Rejects with a NodeError on
   * a broken reply, exit, the hard time limit or cancellation, always after retiring the child.
   */
  run(job: SandboxJob, signal: AbortSignal, hardLimitMs: number): Promise<AcceptedReply> {
    if (this.state !== "idle" || this.current) return Promise.reject(new NodeError("internal", "The code sandbox process is not available."));
    return new Promise<AcceptedReply>((resolve, reject) => {
      const timer = setTimeout(
        () => this.retire("the job overran", new NodeError("code_limit", `The code ran longer than its time limit of ${job.timeoutMs} ms and was stopped.`)),
        hardLimitMs,
      );
      const onAbort = () => this.retire("the run was cancelled", new NodeError("cancelled", "The run was cancelled."));
      const settle = () => {
        clearTimeout(timer);
        signal.removeEventListener("abort", onAbort);
      };
      this.current = {
        job,
        resolve: (reply) => (settle(), resolve(reply)),
        reject: (error) => (settle(), reject(error)),
      };
      this.state = "busy";
      signal.addEventListener("abort", onAbort, { once: true });
      this.proc.stdin?.write(`${JSON.stringify(job)}\n`, (error) => {
        if (error) this.retire("its input pipe broke");
      });
    });
  }

  /**
   * Kills the child (once) and fails the job in flight with `error`, or with a message saying the
   * sandbox process stopped. Safe to call any number of times, from any event.
   */
  retire(reason: string, error?: NodeError): void {
    if (this.state === "retired") return;
    const wasStarting = this.state === "starting";
    this.state = "retired";
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill("SIGKILL");
    if (wasStarting) this.failStart(new NodeError("internal", `The code sandbox could not start: ${reason}.`));
    const current = this.current;
    this.current = undefined;
    current?.reject(error ?? new NodeError("code_limit", `The code sandbox process failed: ${reason}.`));
    this.options.onRetire?.(this);
  }
}
