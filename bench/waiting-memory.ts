/**
 * Benchmark: memory of one worker process while runs wait for a person. The worker is measured
 * idle, then with N runs (default 1,000) parked in the database, each created through the real
 * path (Run row + BullMQ job → the worker executes Start → Human approval → parks the run as
 * `waiting`), then after every run was approved and finished. A waiting run holds no job and no
 * worker state, so the heap after GC should not grow with the number of waiting runs.
 *
 *   node --import tsx bench/waiting-memory.ts [--runs 1000]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { Redis } from "ioredis";
import { ensureDatabase } from "../scripts/lib/database";
import { buildWorker, workerArgs } from "../scripts/lib/worker-command";
import { BENCH_AUTH_SECRET } from "./lib/env";

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const RUNS = arg("runs", 1000);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const PREFIX = "weft-bench-waiting";

const benchEnv = {
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft_bench_waiting",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  WEFT_REDIS_PREFIX: PREFIX,
  WEFT_SECRET_KEYS: "b1:YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGU=",
  BETTER_AUTH_SECRET: BENCH_AUTH_SECRET,
  LOG_LEVEL: "warn",
};
Object.assign(process.env, benchEnv);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Memory {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
}

function startWorker(): Promise<{ child: ChildProcess; sample: () => Promise<Memory> }> {
  const child = spawn(process.execPath, workerArgs(["--expose-gc", "--import", "./bench/waiting-memory-probe.mjs"]), {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let output = "";
  child.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  const sample = async (): Promise<Memory> => {
    const from = output.length;
    child.kill("SIGUSR2");
    for (;;) {
      const match = /MEMORY (\{.*\})\n/.exec(output.slice(from));
      if (match) return JSON.parse(match[1]!) as Memory;
      await sleep(20);
    }
  };
  return new Promise((resolve) => {
    const check = () => output.includes("worker started") && resolve({ child, sample });
    child.stdout!.on("data", check);
  });
}

/** The median of a few samples a second apart (after GC each), once the worker has settled. */
async function settledSample(sample: () => Promise<Memory>, settleMs = 3000): Promise<Memory> {
  await sleep(settleMs);
  const samples: Memory[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(await sample());
    await sleep(500);
  }
  const median = (key: keyof Memory) => samples.map((s) => s[key]).sort((a, b) => a - b)[2]!;
  return { rss: median("rss"), heapUsed: median("heapUsed"), heapTotal: median("heapTotal"), external: median("external") };
}

async function clearRedis() {
  const redis = new Redis(benchEnv.REDIS_URL);
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
}

async function main() {
  buildWorker();
  await ensureDatabase(benchEnv.DATABASE_URL, { reset: true, quiet: true });
  await clearRedis();
  const { db } = await import("../lib/db/client");
  const { createAndEnqueueRun } = await import("../lib/runs/service");
  const { answerWait } = await import("../lib/runs/waits");
  const user = await db().user.create({ data: { id: randomUUID(), name: "Bench", email: `bench-${randomUUID()}@example.test` } });
  const workspace = await db().workspace.create({ data: { name: "Bench" } });
  await db().membership.create({ data: { userId: user.id, workspaceId: workspace.id, role: "owner" } });
  const member = { userId: user.id, email: user.email, name: user.name, workspaceId: workspace.id, workspaceName: workspace.name, role: "owner" as const };
  const graph = {
    version: 1 as const,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "n", label: "", type: "number", required: true, description: "" }] } },
      { id: "gate", type: "approval", position: { x: 200, y: 0 }, data: { title: "Approve request {{ start.n }}?", message: "Bench run {{ start.n }}", assigneeRole: null, timeout: null, onTimeout: "reject" } },
      { id: "end", type: "end", position: { x: 400, y: 0 }, data: { outputs: [{ name: "decision", value: "{{ gate.decision }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "gate" },
      { id: "e2", source: "gate", sourceHandle: "approved", target: "end" },
      { id: "e3", source: "gate", sourceHandle: "rejected", target: "end" },
    ],
  };
  const workflow = await db().workflow.create({ data: { workspaceId: workspace.id, name: "waiting memory", graph } });
  const count = (status: "waiting" | "succeeded") => db().run.count({ where: { workspaceId: workspace.id, status } });

  const worker = await startWorker();
  const rows: { state: string; waiting: number; memory: Memory; seconds?: number }[] = [];
  rows.push({ state: "idle", waiting: 0, memory: await settledSample(worker.sample) });

  const started = Date.now();
  const runIds: string[] = [];
  for (let i = 0; i < RUNS; i++) {
    runIds.push((await createAndEnqueueRun(member, { workflowId: workflow.id, workflowName: "waiting memory", graph, inputs: { n: i }, origin: { trigger: "editor" } })).runId);
  }
  while ((await count("waiting")) < RUNS) await sleep(200);
  const parkedSeconds = (Date.now() - started) / 1000;
  rows.push({ state: `${RUNS} runs waiting`, waiting: await count("waiting"), memory: await settledSample(worker.sample), seconds: parkedSeconds });

  const answering = Date.now();
  for (const runId of runIds) await answerWait({ kind: "member", member }, runId, { nodeId: "gate" }, { decision: "approve" });
  while ((await count("succeeded")) < RUNS) await sleep(200);
  const resumedSeconds = (Date.now() - answering) / 1000;
  rows.push({ state: `all ${RUNS} approved and finished`, waiting: await count("waiting"), memory: await settledSample(worker.sample), seconds: resumedSeconds });

  const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
  console.log(`\nOne worker process (concurrency ${process.env.WEFT_WORKER_CONCURRENCY ?? "default (32)"}), memory after GC, median of 5 samples:`);
  console.log("| state | waiting runs in DB | RSS MB | heap used MB | heap total MB | external MB | time to reach it |");
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const row of rows) {
    const m = row.memory;
    console.log(`| ${row.state} | ${row.waiting} | ${mb(m.rss)} | ${mb(m.heapUsed)} | ${mb(m.heapTotal)} | ${mb(m.external)} | ${row.seconds === undefined ? "—" : `${row.seconds.toFixed(1)} s`} |`);
  }
  const [idle, waiting] = rows;
  console.log(`\nheap used with ${RUNS} waiting runs vs idle: ${mb(waiting!.memory.heapUsed - idle!.memory.heapUsed)} MB; RSS: ${mb(waiting!.memory.rss - idle!.memory.rss)} MB`);

  worker.child.kill("SIGKILL");
  await clearRedis();
  await db().$disconnect();
}

await main();
process.exit(0);
