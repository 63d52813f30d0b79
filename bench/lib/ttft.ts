import { existsSync, mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureDatabase } from "../../scripts/lib/database";
import { WORKER_BUNDLE, projectRoot } from "../../scripts/lib/worker-command";
import type OpenAI from "openai";
import { spawnLogged, startStack } from "./app";
import { benchEnvironment } from "./env";
import { createClient, waitForServer } from "./http";
import { percentile } from "./load";
import { countsLine, diffCounts, settleCounters, sumCounts, webPids, type Counts } from "./io-counts";
import { backendCpuBetween, databaseBackendCpu, treeCpu } from "./proc";

/**
 * What the time-to-first-token benchmarks share (bench/openai-ttft.ts, bench/chat-ttft.ts): their
 * options, a self-contained environment (own database, reset at start, and Redis prefix), the stack
 * with each part in its own process as deployed (`npm start` on the production build, one compiled
 * worker, the test model server standalone: only the clients run in the benchmark's process), and
 * the closed loop that measures and prints p50/p99.
 */

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
};

export interface TtftOptions {
  concurrency: number;
  requests: number;
  chunkDelayMs: number;
  port: number;
  modelPort: number;
  /**
   * Mean pause of each conversation between a turn's end and its next message (a person reading);
   * 0 = back to back. Each pause is drawn from ±50 % of it, and each conversation starts after a
   * random part of it, so conversations do not move in lockstep (a fixed pause made all 20 send
   * at the same instant, every time: a burst test, not 20 people chatting).
   */
  thinkMs: number;
}

export const ttftOptions = (defaultPort: number): TtftOptions => ({
  concurrency: Number(arg("concurrency", "20")),
  requests: Number(arg("requests", "200")),
  chunkDelayMs: Number(arg("chunk-delay-ms", "20")),
  port: Number(arg("port", String(defaultPort))),
  modelPort: Number(arg("model-port", "3311")),
  thinkMs: Number(arg("think-ms", "0")),
});

/**
 * Sets the benchmark's environment (before anything reads it: import the app's modules after this),
 * checks the worker bundle and resets the database `weft_bench_<name>` (or BENCH_DATABASE_URL).
 */
export async function prepareTtftEnv(name: string, port: number, extra: Record<string, string> = {}): Promise<Record<string, string>> {
  const benchEnv = benchEnvironment(name, `http://127.0.0.1:${port}`, {
    // The model server listens on 127.0.0.1, which the network policy blocks by default.
    WEFT_ALLOW_PRIVATE_NETWORK: "true",
    // The processes count their SQL statements and Redis commands here (bench/lib/io-counts.ts).
    WEFT_BENCH_COUNTERS_DIR: mkdtempSync(path.join(os.tmpdir(), `weft-bench-${name}-counters-`)),
    ...extra,
  });
  Object.assign(process.env, benchEnv);
  if (!existsSync(path.join(projectRoot, WORKER_BUNDLE))) {
    console.error("No worker bundle in dist/worker. Build it with `npm run build:worker`, then run this again.");
    process.exit(2);
  }
  await ensureDatabase(benchEnv.DATABASE_URL!, { reset: true, quiet: true });
  return benchEnv;
}

export const BENCH_MODEL_KEY = "sk-bench-key-1234";

/**
 * The test model server (tests/fixtures/openai-server.ts standalone), then the web app (`npm start`)
 * and one worker with the benchmark's environment; `stop` ends all three.
 */
export async function startTtftStack(
  benchEnv: Record<string, string>,
  options: TtftOptions,
): Promise<TtftStack> {
  const model = await spawnLogged(
    ["--import", "tsx", "tests/fixtures/openai-server.ts", "--host", "127.0.0.1", "--port", String(options.modelPort), "--api-key", BENCH_MODEL_KEY, "--chunk-delay", String(options.chunkDelayMs)],
    {},
    "listening",
  );
  const stack = await startStack({ attach: "", port: options.port, workers: 1, env: benchEnv });
  const stop = () => {
    stack.stopAll();
    model.kill("SIGTERM");
  };
  try {
    await waitForServer(createClient(`http://127.0.0.1:${options.port}`, 1), "/api/v1/openapi.json", 120_000);
  } catch (error) {
    stop();
    throw error;
  }
  const cpu = (): CpuSnapshot => ({
    web: stack.web?.pid ? treeCpu(stack.web.pid) : 0,
    worker: stack.workers.reduce((sum, worker) => sum + (worker.pid ? treeCpu(worker.pid) : 0), 0),
    model: model.pid ? treeCpu(model.pid) : 0,
  });
  const counts = async () => {
    const dir = benchEnv.WEFT_BENCH_COUNTERS_DIR!;
    await settleCounters(dir);
    return { web: sumCounts(dir, webPids(stack.web)), worker: sumCounts(dir, stack.workers.flatMap((w) => (w.pid ? [w.pid] : []))) };
  };
  return { modelUrl: `http://127.0.0.1:${options.modelPort}/v1`, databaseUrl: benchEnv.DATABASE_URL!, stop, cpu, counts };
}

export interface TtftStack {
  modelUrl: string;
  databaseUrl: string;
  stop: () => void;
  cpu: () => CpuSnapshot;
  /** SQL statements and Redis commands so far of the web app and the worker(s). */
  counts: () => Promise<Record<"web" | "worker", Counts>>;
}

/** CPU seconds so far of the web app (with its children), the worker(s) and the model server. */
export type CpuSnapshot = Record<"web" | "worker" | "model", number>;

/**
 * Measures like `measureTtft` and also prints, per stream, the CPU milliseconds each process spent
 * and the SQL statements and Redis commands of the web app and the worker.
 */
export async function measureTtftWithCpu(
  label: string,
  options: TtftOptions,
  stack: TtftStack,
  call: (lane: number, n: number) => Promise<number>,
): Promise<number[]> {
  const countsBefore = await stack.counts();
  const before = stack.cpu();
  const databaseBefore = await databaseBackendCpu(stack.databaseUrl);
  const clientBefore = process.cpuUsage();
  const times = await measureTtft(label, options, call);
  const client = process.cpuUsage(clientBefore);
  const after = stack.cpu();
  const database = backendCpuBetween(databaseBefore, await databaseBackendCpu(stack.databaseUrl));
  const countsAfter = await stack.counts();
  const perStream = (key: keyof CpuSnapshot) => (((after[key] - before[key]) * 1000) / options.requests).toFixed(1);
  const ms = (seconds: number) => ((seconds * 1000) / options.requests).toFixed(1);
  console.log(
    `  CPU ms per stream: web ${perStream("web")}, worker ${perStream("worker")}, PostgreSQL ${ms(database)}, model server ${perStream("model")}, ` +
      `this client ${ms((client.user + client.system) / 1e6)}`,
  );
  console.log(`  web:    ${countsLine(diffCounts(countsAfter.web, countsBefore.web), options.requests)}`);
  console.log(`  worker: ${countsLine(diffCounts(countsAfter.worker, countsBefore.worker), options.requests)}`);
  return times;
}

/** Time to the first content delta of one streamed completion (the `openai` client, any base URL), in ms. */
export async function completionFirstToken(client: OpenAI, model: string, n: number): Promise<number> {
  const started = performance.now();
  const stream = await client.chat.completions.create({ model, stream: true, messages: [{ role: "user", content: `question ${n} with several words to stream back` }] });
  let first = NaN;
  for await (const chunk of stream) {
    if (Number.isNaN(first) && chunk.choices[0]?.delta.content) first = performance.now() - started;
  }
  return first;
}

/** `requests` calls over `concurrency` lanes (a call gets its lane's index); prints and returns the sorted times. */
export async function measureTtft(label: string, options: TtftOptions, call: (lane: number, n: number) => Promise<number>): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const lane = async (index: number) => {
    if (options.thinkMs > 0) await pause(Math.random() * options.thinkMs);
    while (next < options.requests) {
      times.push(await call(index, next++));
      if (options.thinkMs > 0) await pause(options.thinkMs * (0.5 + Math.random()));
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: options.concurrency }, (_, index) => lane(index)));
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(31)} ${options.requests} streams, ${options.concurrency} concurrent${options.thinkMs ? ` (${options.thinkMs} ms ± 50 % between turns)` : ""}: TTFT p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, ` +
      `max ${times.at(-1)!.toFixed(1)} ms; ${(options.requests / seconds).toFixed(0)} streams/s`,
  );
  return times;
}

/** The difference at p50 and p99: Weft's overhead to the first token. */
export function printOverhead(own: number[], through: number[]): void {
  const overhead = (p: number) => (percentile(through, p) - percentile(own, p)).toFixed(1);
  console.log(`overhead to first token: p50 ${overhead(50)} ms, p99 ${overhead(99)} ms (target: p50 ≤ 50 ms)`);
}

/** The model server directly, then through Weft (with CPU and I/O per stream), and Weft's overhead. */
export async function compareTtft(
  label: string,
  options: TtftOptions,
  stack: TtftStack,
  direct: (n: number) => Promise<number>,
  through: (lane: number, n: number) => Promise<number>,
): Promise<void> {
  const own = await measureTtft("model server directly", options, (_lane, n) => direct(n));
  const weft = await measureTtftWithCpu(label, options, stack, through);
  printOverhead(own, weft);
}

/** Runs a benchmark's body on the stack; a failure is printed, and the stack stops and the process ends either way. */
export async function withTtftStack(stack: TtftStack, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (error) {
    console.error(error);
    process.exitCode = 1;
  } finally {
    stack.stop();
    process.exit();
  }
}
