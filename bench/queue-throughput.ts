/**
 * Benchmark: a model-free 5-node workflow (Start → Template → Condition → Template → End) through
 * the real queue and real worker processes, with durable step writes.
 *
 * For each worker count it measures
 *  - drain throughput: N runs are created through the service (run row + job) while no worker runs,
 *    then the workers start; runs/second from the first worker being ready to the last run finishing;
 *  - open-loop latency: runs created at a fixed rate below capacity (`--rate`), run created → run
 *    finished, p50/p99 (without a backlog, so this is the real per-run latency);
 * and once, in-process, the pure engine overhead per node (in-memory store, no I/O).
 *
 *   npm run bench -- --runs 2000 --workers 1,2,4 --rate 100
 *   BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench -- --workers 1   (profile the worker)
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { Redis } from "ioredis";
import { ensureDatabase } from "../scripts/lib/database";
import { startAutovacuumStandIn } from "./lib/autovacuum";
import { buildWorker, workerArgs } from "../scripts/lib/worker-command";
import { GraphSchema } from "../lib/engine/graph";
import { benchWorkflows } from "./lib/workflows";
import { BENCH_AUTH_SECRET } from "./lib/env";

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1] : fallback;
};
const RUNS = Number(arg("runs", "1000"));
const WORKER_COUNTS = arg("workers", "1,2,4").split(",").map(Number);
const RATE = Number(arg("rate", "100"));
const LATENCY_RUNS = Number(arg("latency-runs", String(Math.min(RUNS, 500))));
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const PREFIX = "weft-bench";

const benchEnv = {
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft_bench",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  WEFT_REDIS_PREFIX: PREFIX,
  WEFT_SECRET_KEYS: "b1:YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGU=",
  BETTER_AUTH_SECRET: BENCH_AUTH_SECRET,
  LOG_LEVEL: "warn",
  ...(process.env.WEFT_WORKER_CONCURRENCY ? { WEFT_WORKER_CONCURRENCY: process.env.WEFT_WORKER_CONCURRENCY } : {}),
};
Object.assign(process.env, benchEnv);

// The HTTP benchmark's model-free workflow (Start → Template → Condition → Template → End).
const graph = GraphSchema.parse(benchWorkflows.template.graph);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fmtMs = (ms: number) => `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function startWorker(): Promise<ChildProcess> {
  // The start line is logged at info; the listener stays attached so the pipe never fills.
  // BENCH_WORKER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the workers.
  const nodeArgs = (process.env.BENCH_WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, workerArgs(nodeArgs), {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve) => child.stdout!.on("data", (d: Buffer) => d.toString().includes("worker started") && resolve(child)));
}

async function stopWorkers(workers: ChildProcess[]) {
  await Promise.all(
    workers.map((w) => new Promise<void>((resolve) => {
      w.once("exit", () => resolve());
      w.kill("SIGTERM");
    })),
  );
}

async function engineOverhead() {
  const { executeRun } = await import("../lib/engine/run-engine");
  const { nodeRegistry } = await import("../lib/nodes/registry");
  const { executorRegistry } = await import("../lib/nodes/executors");
  const perNode: number[] = [];
  for (let i = 0; i < 3000; i++) {
    const store = {
      loadSteps: async () => [],
      beginStep: async () => ({ attempt: 1 }),
      completeStep: async () => undefined,
      failStep: async () => undefined,
      skipStep: async () => undefined,
      waitStep: async () => undefined,
    };
    const started = performance.now();
    await executeRun({
      runId: `bench-${i}`,
      graph,
      inputs: { n: i % 100 },
      registry: nodeRegistry,
      executors: executorRegistry,
      store,
      events: { publish: () => undefined },
      services: { chat: async () => Promise.reject(new Error("no model in this benchmark")) },
      signal: new AbortController().signal,
    } as Parameters<typeof executeRun>[0]);
    perNode.push((performance.now() - started) / graph.nodes.length);
  }
  return perNode.slice(300).sort((a, b) => a - b); // drop warm-up
}

async function main() {
  buildWorker();
  await ensureDatabase(benchEnv.DATABASE_URL, { reset: true, quiet: true });
  const autovacuum = await startAutovacuumStandIn(benchEnv.DATABASE_URL);
  const { db } = await import("../lib/db/client");
  const { createAndEnqueueRun } = await import("../lib/runs/service");
  const user = await db().user.create({ data: { id: randomUUID(), name: "Bench", email: `bench-${randomUUID()}@example.test` } });
  const workspace = await db().workspace.create({ data: { name: "Bench" } });
  await db().membership.create({ data: { userId: user.id, workspaceId: workspace.id, role: "owner" } });
  const member = { userId: user.id, email: user.email, name: user.name, workspaceId: workspace.id, workspaceName: workspace.name, role: "owner" as const };
  const workflow = await db().workflow.create({ data: { workspaceId: workspace.id, name: "bench", graph: benchWorkflows.template.graph } });
  const createRun = (i: number) => createAndEnqueueRun(member, { workflowId: workflow.id, workflowName: "bench", graph, inputs: { n: i % 100 }, origin: { trigger: "editor" } });

  const waitAllFinished = async (since: Date) => {
    for (;;) {
      const open = await db().run.count({ where: { workspaceId: workspace.id, createdAt: { gte: since }, status: { in: ["queued", "running"] } } });
      if (open === 0) return;
      await sleep(20);
    }
  };
  const finishedSince = (since: Date) =>
    db().run.findMany({ where: { workspaceId: workspace.id, createdAt: { gte: since } }, select: { status: true, createdAt: true, finishedAt: true } });

  const rows: string[] = [];
  for (const count of WORKER_COUNTS) {
    const redis = new Redis(benchEnv.REDIS_URL);
    const keys = await redis.keys(`${PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();

    // Drain: the backlog is in place before any worker starts.
    const drainStart = new Date();
    const enqueueStarted = performance.now();
    for (let i = 0; i < RUNS; i += 16) await Promise.all(Array.from({ length: Math.min(16, RUNS - i) }, (_, k) => createRun(i + k)));
    const enqueueRate = RUNS / ((performance.now() - enqueueStarted) / 1000);
    const workers = await Promise.all(Array.from({ length: count }, startWorker));
    const ready = Date.now();
    await waitAllFinished(drainStart);
    const drained = await finishedSince(drainStart);
    const drainWall = Math.max(...drained.map((r) => r.finishedAt!.getTime())) - ready;
    const drainFailed = drained.filter((r) => r.status !== "succeeded").length;

    // Open loop: one run every 1/RATE s, no backlog.
    const latencyStart = new Date();
    const interval = 1000 / RATE;
    const t0 = performance.now();
    const pending: Promise<unknown>[] = [];
    for (let i = 0; i < LATENCY_RUNS; i++) {
      const due = t0 + i * interval;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      pending.push(createRun(i));
    }
    await Promise.all(pending);
    await waitAllFinished(latencyStart);
    const timed = await finishedSince(latencyStart);
    const latencies = timed.map((r) => r.finishedAt!.getTime() - r.createdAt.getTime()).sort((a, b) => a - b);
    await stopWorkers(workers);

    rows.push(
      `| ${count} | ${(RUNS / (drainWall / 1000)).toFixed(0)} runs/s | ${enqueueRate.toFixed(0)} runs/s | ${RATE}/s | ${latencies[Math.floor(latencies.length / 2)]} ms | ${percentile(latencies, 99)} ms | ${drainFailed + timed.filter((r) => r.status !== "succeeded").length} |`,
    );
    console.error(rows.at(-1));
  }

  const overhead = await engineOverhead();
  console.log(`queue-throughput: ${graph.nodes.length}-node model-free workflow, ${RUNS} runs drained per row, worker concurrency ${process.env.WEFT_WORKER_CONCURRENCY ?? "default (32)"}, ${LATENCY_RUNS} open-loop runs for latency`);
  console.log("| worker processes | drain throughput | enqueue (service path, 16 at a time) | open-loop rate | latency p50 | latency p99 | not succeeded |");
  console.log("|---|---|---|---|---|---|---|");
  for (const row of rows) console.log(row);
  console.log(`engine overhead per node (in-memory store, no I/O): p50 ${fmtMs(percentile(overhead, 50))}, p99 ${fmtMs(percentile(overhead, 99))}`);
  await autovacuum.stop();
  await db().$disconnect();
}

await main();
process.exit(0);
