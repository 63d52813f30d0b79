import { spawn, type ChildProcess } from "node:child_process";
import { projectRoot as root, workerArgs } from "../../../scripts/lib/worker-command";

export interface WorkerProcess {
  child: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
  /** Resolves once the worker's log contains `text` (after `from` characters), or rejects after `timeoutMs`. */
  waitForOutput: (text: string, timeoutMs?: number, from?: number) => Promise<void>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<number | null>;
}

/**
 * Starts the compiled worker (dist/worker/run-worker.mjs, built by the integration global setup)
 * as a real child process with the test environment: the tests run what production runs.
 */
export async function startWorkerProcess(extraEnv: Record<string, string> = {}): Promise<WorkerProcess> {
  const child = spawn(process.execPath, workerArgs(), {
    cwd: root,
    // Debug: tests follow runs through the worker's "run processed" lines (debug since issue #9).
    env: { ...process.env, LOG_LEVEL: "debug", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code, signal) => resolve(code ?? (signal ? -1 : null))));
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker did not start:\n${output}`)), 30_000);
    const check = () => {
      if (output.includes("worker started")) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", check);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`worker exited with ${code}:\n${output}`));
    });
  });
  const waitForOutput = async (text: string, timeoutMs = 30_000, from = 0) => {
    const deadline = Date.now() + timeoutMs;
    while (!output.includes(text, from)) {
      if (Date.now() > deadline) throw new Error(`worker log has no "${text}" after ${timeoutMs} ms:\n${output}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  return {
    child,
    exited,
    waitForOutput,
    output: () => output,
    stop: (signal = "SIGTERM") =>
      new Promise((resolve) => {
        // A process killed by a signal has no exit code, only a signal code.
        if (child.exitCode !== null || child.signalCode !== null) return resolve(child.exitCode);
        child.once("exit", (code) => resolve(code));
        child.kill(signal);
      }),
  };
}

/**
 * The run ids a worker's reconciler queued again (its "re-enqueued runs missing from Redis" lines).
 * The test database is shared by every test file, so a worker that starts on a fresh Redis prefix
 * may rightly queue another file's unfinished runs: tests ask about their own runs only.
 */
export function requeuedRunIds(output: string): string[] {
  return output
    .split("\n")
    .filter((line) => line.includes("re-enqueued runs missing from Redis"))
    .flatMap((line) => {
      try {
        const runIds = (JSON.parse(line) as { runIds?: unknown }).runIds;
        return Array.isArray(runIds) ? runIds.map(String) : [];
      } catch {
        return [];
      }
    });
}
