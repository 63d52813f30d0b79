import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import os from "node:os";
import { performance } from "node:perf_hooks";
import ivm from "isolated-vm";
import type { CodeRequest } from "@/lib/engine/ports";
import { createSandboxPool } from "@/lib/sandbox/pool";
import type { SpawnSandbox } from "@/lib/sandbox/process";

/**
 * Overhead of the Code node's sandbox, as the worker sees it (one workspace's jobs): the time `pool.run` takes for a job
 * whose own work is negligible (summing 1,000 numbers), so the figure is the sandbox's cost —
 * routing, the isolate, the reply's validation — plus, under load, waiting for a CPU. Prints the
 * start-up, warm overhead p50/p90/p99 at 1 and 32 concurrent jobs (closed loop: at 32, latency is
 * mostly waiting for a core, 32 ÷ jobs/s), at fixed arrival rates, jobs/s, CPU per job, processes
 * forked during the load, the sandboxes' memory, and the two isolation designs measured bare.
 * Run: node --no-node-snapshot --import tsx bench/code-sandbox.ts [processes] [jobsPerProcess]
 */
const processes = Number(process.argv[2] ?? os.availableParallelism());
const jobsPerProcess = Number(process.argv[3] ?? 16);
let forks = 0;
const counting: SpawnSandbox = (command, args, options) => (forks++, spawn(command, args, options));
const SUM = "return { total: inputs.items.reduce((a, b) => a + b, 0) };";
const items = Array.from({ length: 1_000 }, (_, i) => i);
const request = (code = SUM): CodeRequest => ({ code, inputs: { items }, timeoutMs: 1_000, memoryMb: 64, maxOutputBytes: 512 * 1024, signal: new AbortController().signal });

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
const summary = (times: number[]) => {
  const sorted = [...times].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(2)} ms, p90 ${percentile(sorted, 90).toFixed(2)} ms, p99 ${percentile(sorted, 99).toFixed(2)} ms`;
};

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn().catch(() => undefined);
  return performance.now() - started;
}

/** CPU time (ms) of this process and of the sandbox processes so far (Linux /proc). */
function cpuMs(pids: number[]): number {
  const ticks = pids.reduce((sum, pid) => {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return sum + Number(fields[11]) + Number(fields[12]);
    } catch {
      return sum;
    }
  }, 0);
  const own = process.cpuUsage();
  return ticks * 10 + (own.user + own.system) / 1000;
}

/** Resident memory of the sandbox processes, in MiB (Linux /proc). */
function rssMiB(pids: number[]): string {
  const kib = pids.map((pid) => {
    try {
      return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);
    } catch {
      return 0;
    }
  });
  return kib.map((k) => (k / 1024).toFixed(0)).join(" + ") + " MiB";
}

/** `concurrency` callers, each starting its next job when the last one returns, `total` jobs in all. */
type RunCode = (request: CodeRequest) => Promise<unknown>;

async function closedLoop(runCode: RunCode, concurrency: number, total: number, label = "") {
  const times: number[] = [];
  let issued = 0;
  const forksBefore = forks;
  const cpuBefore = cpuMs(pool.stats().pids);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued++ < total) times.push(await timed(() => runCode(request())));
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpuPerJob = (cpuMs(pool.stats().pids) - cpuBefore) / total;
  console.log(
    `${String(concurrency).padStart(2)} concurrent${label} (n=${total}): ${summary(times)}; ${(total / seconds).toFixed(0)} jobs/s; CPU ${cpuPerJob.toFixed(2)} ms/job (worker + sandboxes); processes forked: ${forks - forksBefore}`,
  );
}

/** Jobs arriving at a fixed rate whatever the latency (as runs arrive from users). */
async function openLoop(runCode: RunCode, perSecond: number, total: number) {
  const jobs: Promise<number>[] = [];
  const forksBefore = forks;
  const started = performance.now();
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / perSecond;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    jobs.push(timed(() => runCode(request())));
  }
  const times = await Promise.all(jobs);
  console.log(`${perSecond} jobs/s arriving (n=${total}): ${summary(times)}; processes forked: ${forks - forksBefore}`);
}

/** The two isolation designs measured bare, in this process: what a job costs in each. */
async function isolationDesigns(rounds: number) {
  const prepare = async (isolate: ivm.Isolate) => {
    const context = await isolate.createContext();
    await context.eval("delete globalThis.WebAssembly; globalThis.console = { log() {} };");
    const runner = await context.eval("(function (s, p) { return async function (j) { return s(await main(p(j))); }; })(JSON.stringify, JSON.parse)", { reference: true });
    return { context, runner };
  };
  const job = async (isolate: ivm.Isolate, context: ivm.Context, runner: ivm.Reference) => {
    const script = await isolate.compileScript(`async function main(inputs) {\n${SUM}\n}`);
    await script.run(context, { timeout: 1_000 });
    await runner.apply(undefined, [JSON.stringify({ items })], { timeout: 1_000, result: { promise: true, copy: true } });
  };
  const create: number[] = [];
  const prepared: number[] = [];
  const shared: number[] = [];
  const warm = new ivm.Isolate({ memoryLimit: 64 });
  for (let i = 0; i < rounds; i++) {
    let t = performance.now();
    const isolate = new ivm.Isolate({ memoryLimit: 64 });
    const { context, runner } = await prepare(isolate);
    create.push(performance.now() - t);
    t = performance.now();
    await job(isolate, context, runner);
    isolate.dispose();
    prepared.push(performance.now() - t);
    t = performance.now();
    const inWarm = await prepare(warm);
    await job(warm, inWarm.context, inWarm.runner);
    inWarm.context.release();
    shared.push(performance.now() - t);
  }
  warm.dispose();
  console.log(`isolation designs, one job at a time (n=${rounds}):`);
  console.log(`  creating and preparing an isolate (off the job path here): ${summary(create)}`);
  console.log(`  job in a prepared isolate of its own, then dispose: ${summary(prepared)}`);
  console.log(`  job in a fresh context of a warm isolate (context created on the job path): ${summary(shared)}`);
}

const bootStarted = performance.now();
const pool = createSandboxPool({ processes, jobsPerProcess, spawn: counting });
await pool.ready();
console.log(`${processes} sandbox processes × ${jobsPerProcess} jobs on ${os.availableParallelism()} cores; ready in ${(performance.now() - bootStarted).toFixed(0)} ms (forked ${forks})`);
console.log(`sandbox processes' memory when ready: ${rssMiB(pool.stats().pids)}`);
// As the worker calls it: one workspace's jobs reuse its isolates (fresh context per job).
const workspace = pool.forWorkspace("bench");
await closedLoop(workspace, 8, 400); // warm-up: isolates created, code paths compiled
await closedLoop(workspace, 1, 500);
await closedLoop(workspace, 32, 3_000);
await closedLoop(pool.run, 32, 1_000, ", an isolate per job (no workspace)");
await openLoop(workspace, 200, 1_000);
await openLoop(workspace, 500, 1_500);
console.log(`sandbox processes' memory after the load: ${rssMiB(pool.stats().pids)}`);
await timed(() => workspace(request("throw new Error('x')")));
console.log(`first job after a failed job: ${(await timed(() => workspace(request()))).toFixed(2)} ms`);
pool.close();
await isolationDesigns(300);
