import { execFileSync } from "node:child_process";
import path from "node:path";

/**
 * How every script, test and benchmark starts a run worker: the compiled bundle that
 * `npm run build:worker` writes (scripts/build-worker.ts), with bare `node`. `npm run worker`
 * is the same command (tests/unit/worker-command.test.ts holds them together).
 */
export const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

/** The worker bundle, relative to the project root. */
export const WORKER_BUNDLE = "dist/worker/run-worker.mjs";

/** Node arguments that start the compiled worker; `nodeArgs` go first (profilers, --import probes). */
export function workerArgs(nodeArgs: string[] = []): string[] {
  return [...nodeArgs, "--enable-source-maps", WORKER_BUNDLE];
}

/** The TypeScript entry point, run through tsx (`npm run worker:dev`): for development only. */
export function devWorkerArgs(nodeArgs: string[] = []): string[] {
  return [...nodeArgs, "--import", "tsx", "workers/run-worker.ts"];
}

/** Builds the worker bundle (`npm run build:worker`); test setups and benchmarks call it so they run the current sources. */
export function buildWorker(): void {
  execFileSync(process.execPath, ["--import", "tsx", "scripts/build-worker.ts"], { cwd: projectRoot, stdio: "inherit" });
}
