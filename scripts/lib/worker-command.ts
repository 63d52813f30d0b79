import { execFileSync } from "node:child_process";
import path from "node:path";
import { EARLY_TIER_UP_FLAGS } from "./v8-tier-up";

/**
 * How every script, test and benchmark starts a run worker: the compiled bundle that
 * `npm run build:worker` writes (scripts/build-worker.ts), with bare `node`. `npm run worker`
 * is the same command (tests/unit/worker-command.test.ts holds them together).
 */
export const projectRoot = path.resolve(path.dirname(new URL(import.meta.url).pathname), "../..");

/** The worker bundle, relative to the project root. */
export const WORKER_BUNDLE = "dist/worker/run-worker.mjs";

/**
 * V8 settings that keep an idle worker small (bench/memory.ts, issue #9 point 6; README "Running and
 * scaling workers"): a 4 MiB young generation instead of up to 16 MiB (V8 otherwise keeps the grown
 * space after a burst of runs: about 20 MiB of RSS; no measurable CPU cost per run), and
 * WebAssembly (only Prisma's query compiler) kept at V8's baseline compiler (about 25 MiB less
 * optimised code; the run path's hot statements go through plain pg, not Prisma); then the earlier
 * tier-up of v8-tier-up.ts.
 */
export const WORKER_V8_FLAGS = ["--max-semi-space-size=4", "--liftoff-only", ...EARLY_TIER_UP_FLAGS];

/** Node arguments that start the compiled worker; `nodeArgs` go first (profilers, --import probes). */
export function workerArgs(nodeArgs: string[] = []): string[] {
  return [...nodeArgs, "--enable-source-maps", ...WORKER_V8_FLAGS, WORKER_BUNDLE];
}

/** The TypeScript entry point, run through tsx (`npm run worker:dev`): for development only. */
export function devWorkerArgs(nodeArgs: string[] = []): string[] {
  return [...nodeArgs, "--import", "tsx", "workers/run-worker.ts"];
}

/** Builds the worker bundle (`npm run build:worker`); test setups and benchmarks call it so they run the current sources. */
export function buildWorker(): void {
  execFileSync(process.execPath, ["--import", "tsx", "scripts/build-worker.ts"], { cwd: projectRoot, stdio: "inherit" });
}
