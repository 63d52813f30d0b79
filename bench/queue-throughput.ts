/**
 * Benchmark: N runs of a model-free workflow (Start → Template → Condition → End) pushed through
 * the real queue and a real worker process, with durable step writes.
 * Prints runs/second, end-to-end latency percentiles (run created → run finished) and the pure
 * engine overhead per node (in-process, in-memory store, no I/O).
 *
 *   npm run bench -- --runs 500 --workers 1
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { Redis } from "ioredis";
import { ensureDatabase } from "../scripts/lib/database";

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const RUNS = arg("runs", 500);
const WORKERS = arg("workers", 1);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");

const benchEnv = {
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft_bench",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  WEFT_REDIS_PREFIX: "weft-bench",
  WEFT_SECRET_KEYS: "b1:YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGU=",
  BETTER_AUTH_SECRET: "bench-secret-0123456789abcdef",
  LOG_LEVEL: "warn",
  WEFT_WORKER_CONCURRENCY: process.env.WEFT_WORKER_CONCURRENCY ?? "16",
};
Object.assign(process.env, benchEnv);

const graph = {
  version: 1 as const,
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "n", label: "", type: "number", required: true, description: "" }] } },
    { id: "label", type: "template", position: { x: 200, y: 0 }, data: { template: "item {{ start.n }}", format: "text" } },
    {
      id: "check",
      type: "condition",
      position: { x: 400, y: 0 },
      data: { cases: [{ id: "case_1", logic: "and", rules: [{ left: "start.n", operator: "greater_than", right: "50" }] }] },
    },
    { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "label", value: "{{ label.text }}" }, { name: "big", value: "{{ check.branch }}" }] } },
  ],
  edges: [
    { id: "e1", source: "start", target: "label" },
    { id: "e2", source: "label", target: "check" },
    { id: "e3", source: "check", sourceHandle: "case_1", target: "end" },
    { id: "e4", source: "check", sourceHandle: "else", target: "end" },
  ],
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

async function startWorker(): Promise<ChildProcess> {
  // The start line is logged at info; the listener stays attached so the pipe never fills.
  const child = spawn(process.execPath, ["--import", "tsx", "workers/run-worker.ts"], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve) => child.stdout!.on("data", (d: Buffer) => d.toString().includes("worker started") && resolve()));
  return child;
}

async function engineOverhead() {
  const { executeRun } = await import("../lib/engine/run-engine");
  const { nodeRegistry } = await import("../lib/nodes/registry");
  const { executorRegistry } = await import("../lib/nodes/executors");
  const perNode: number[] = [];
  for (let i = 0; i < 2000; i++) {
    const store = {
      loadSteps: async () => [],
      beginStep: async () => ({ attempt: 1 }),
      completeStep: async () => undefined,
      failStep: async () => undefined,
      skipStep: async () => undefined,
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
    });
    perNode.push((performance.now() - started) / graph.nodes.length);
  }
  return perNode.slice(200).sort((a, b) => a - b); // drop warm-up
}

async function main() {
  await ensureDatabase(benchEnv.DATABASE_URL, { reset: true, quiet: true });
  const redis = new Redis(benchEnv.REDIS_URL);
  const keys = await redis.keys("weft-bench*");
  if (keys.length) await redis.del(...keys);
  redis.disconnect();

  const { db } = await import("../lib/db/client");
  const { createAndEnqueueRun } = await import("../lib/runs/service");
  const user = await db().user.create({ data: { id: randomUUID(), name: "Bench", email: `bench-${randomUUID()}@example.test` } });
  const workspace = await db().workspace.create({ data: { name: "Bench" } });
  await db().membership.create({ data: { userId: user.id, workspaceId: workspace.id, role: "owner" } });
  const member = { userId: user.id, email: user.email, name: user.name, workspaceId: workspace.id, workspaceName: workspace.name, role: "owner" as const };
  const workflow = await db().workflow.create({ data: { workspaceId: workspace.id, name: "bench", graph } });

  const workers = await Promise.all(Array.from({ length: WORKERS }, startWorker));
  const started = Date.now();
  for (let i = 0; i < RUNS; i++) {
    await createAndEnqueueRun(member, { workflowId: workflow.id, workflowName: "bench", graph, inputs: { n: i % 100 } });
  }
  const enqueuedMs = Date.now() - started;
  for (;;) {
    const open = await db().run.count({ where: { workspaceId: workspace.id, status: { in: ["queued", "running"] } } });
    if (open === 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const runs = await db().run.findMany({ where: { workspaceId: workspace.id }, select: { status: true, createdAt: true, finishedAt: true } });
  const wallMs = Math.max(...runs.map((r) => r.finishedAt!.getTime())) - started;
  const latencies = runs.map((r) => r.finishedAt!.getTime() - r.createdAt.getTime()).sort((a, b) => a - b);
  const failed = runs.filter((r) => r.status !== "succeeded").length;
  for (const w of workers) w.kill("SIGTERM");

  const overhead = await engineOverhead();
  console.log(`queue-throughput: ${RUNS} runs, ${WORKERS} worker process(es), concurrency ${benchEnv.WEFT_WORKER_CONCURRENCY} each, ${graph.nodes.length} nodes per run`);
  console.log(`  enqueue (API path, sequential): ${(RUNS / (enqueuedMs / 1000)).toFixed(1)} runs/s`);
  console.log(`  end-to-end throughput:          ${(RUNS / (wallMs / 1000)).toFixed(1)} runs/s (${failed} not succeeded)`);
  console.log(`  latency created → finished:     p50 ${latencies[Math.floor(latencies.length / 2)]} ms, p99 ${percentile(latencies, 99)} ms`);
  console.log(`  engine overhead per node (in-memory store, no I/O): p50 ${fmt(percentile(overhead, 50))}, p99 ${fmt(percentile(overhead, 99))}`);
  await db().$disconnect();
}

await main();
process.exit(0);
