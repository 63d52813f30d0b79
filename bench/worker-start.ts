/**
 * Benchmark: how long a run worker takes to start, from spawning the process to
 *  - "worker started" (its code loaded, queue worker, reconciler and listeners set up) and
 *  - "worker ready" (the queue connection is up: it takes runs from here; issue #9 asks ≤ 2 s),
 * and its RSS a few seconds later. Median (min–max) of N starts, for the compiled worker that
 * `npm run worker` runs and, with --dev, for the TypeScript entry point through tsx for comparison.
 *
 *   npm run bench:worker-start -- [--rounds 5] [--dev]
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { ensureDatabase } from "../scripts/lib/database";
import { buildWorker, devWorkerArgs, projectRoot, workerArgs } from "../scripts/lib/worker-command";
import { BENCH_AUTH_SECRET } from "./lib/env";

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
};
const ROUNDS = Number(arg("rounds", "5"));
const PREFIX = "weft-bench-start";
const benchEnv = {
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft_bench_start",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  WEFT_REDIS_PREFIX: PREFIX,
  WEFT_SECRET_KEYS: "b1:YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGU=",
  BETTER_AUTH_SECRET: BENCH_AUTH_SECRET,
  LOG_LEVEL: "info",
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const rssMiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;

interface Start {
  startedMs: number;
  readyMs: number;
  rssMiB: number;
}

async function startOnce(args: string[]): Promise<Start> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args, { cwd: projectRoot, env: { ...process.env, ...benchEnv }, stdio: ["ignore", "pipe", "inherit"] });
  let output = "";
  let startedMs = 0;
  const readyMs = await new Promise<number>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`worker exited with ${code}:\n${output}`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (!startedMs && output.includes("worker started")) startedMs = performance.now() - t0;
      if (output.includes("worker ready")) resolve(performance.now() - t0);
    });
  });
  // RSS once start-up work (first reconciler pass, connections) has settled.
  await sleep(3000);
  const rss = rssMiB(child.pid!);
  await new Promise<void>((resolve) => {
    child.removeAllListeners("exit");
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
  return { startedMs, readyMs, rssMiB: rss };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const summary = (values: number[], unit: string, digits = 0) =>
  `${median(values).toFixed(digits)} ${unit} (${Math.min(...values).toFixed(digits)}–${Math.max(...values).toFixed(digits)})`;

async function main() {
  buildWorker();
  await ensureDatabase(benchEnv.DATABASE_URL, { quiet: true });
  const redis = new Redis(benchEnv.REDIS_URL);
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();

  const variants: [string, string[]][] = [["compiled (npm run worker)", workerArgs()]];
  if (process.argv.includes("--dev")) variants.push(["tsx (npm run worker:dev)", devWorkerArgs()]);
  console.log(`worker start: spawn → log line, median (min–max) of ${ROUNDS} starts`);
  console.log("| worker | → \"worker started\" | → \"worker ready\" (listening) | RSS 3 s after ready |");
  console.log("|---|---|---|---|");
  for (const [label, args] of variants) {
    const starts: Start[] = [];
    for (let i = 0; i < ROUNDS; i++) starts.push(await startOnce(args));
    console.log(
      `| ${label} | ${summary(starts.map((s) => s.startedMs), "ms")} | ${summary(starts.map((s) => s.readyMs), "ms")} | ${summary(starts.map((s) => s.rssMiB), "MiB")} |`,
    );
  }
}

await main();
process.exit(0);
