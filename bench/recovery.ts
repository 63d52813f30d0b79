/**
 * Benchmark: crash-recovery time. A worker process holding a run is SIGKILLed while an LLM step
 * streams; we time SIGKILL → the step starting again (attempt 2) on the other, already running,
 * worker process. That time is governed by BullMQ's lock duration and stalled-check interval,
 * so it is measured with the defaults (WEFT_WORKER_LOCK_MS / WEFT_WORKER_STALLED_MS, lib/env.ts) and with tuned settings.
 *
 *   node --import tsx bench/recovery.ts [--rounds 3] [--skip-default]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import path from "node:path";
import { Redis } from "ioredis";
import { EnvSchema } from "../lib/env";
import { ensureDatabase } from "../scripts/lib/database";
import { buildWorker, workerArgs } from "../scripts/lib/worker-command";
import { startOpenAiServer } from "../tests/fixtures/openai-server";
import { BENCH_AUTH_SECRET } from "./lib/env";

const arg = (name: string, fallback: number) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? Number(process.argv[index + 1]) : fallback;
};
const ROUNDS = arg("rounds", 3);
const SKIP_DEFAULT = process.argv.includes("--skip-default");
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const PREFIX = "weft-bench-recovery";

const benchEnv = {
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft_bench_recovery",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  WEFT_REDIS_PREFIX: PREFIX,
  WEFT_SECRET_KEYS: "b1:YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGU=",
  BETTER_AUTH_SECRET: BENCH_AUTH_SECRET,
  WEFT_ALLOW_PRIVATE_NETWORK: "true",
  LOG_LEVEL: "warn",
};
Object.assign(process.env, benchEnv);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startWorker(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, workerArgs(), {
    cwd: root,
    env: { ...process.env, ...env, LOG_LEVEL: "info" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise<void>((resolve) => child.stdout!.on("data", (d: Buffer) => d.toString().includes("worker started") && resolve()));
  return child;
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
  const server = await startOpenAiServer({ apiKey: "sk-bench" });
  const { db } = await import("../lib/db/client");
  const { createAndEnqueueRun } = await import("../lib/runs/service");
  const { encryptSecret } = await import("../lib/secrets/crypto");
  const user = await db().user.create({ data: { id: randomUUID(), name: "Bench", email: `bench-${randomUUID()}@example.test` } });
  const workspace = await db().workspace.create({ data: { name: "Bench" } });
  await db().membership.create({ data: { userId: user.id, workspaceId: workspace.id, role: "owner" } });
  const member = { userId: user.id, email: user.email, name: user.name, workspaceId: workspace.id, workspaceName: workspace.name, role: "owner" as const };
  const provider = await db().modelProvider.create({
    data: { workspaceId: workspace.id, name: "bench", kind: "openai_compatible", preset: "custom", baseUrl: server.url, apiKeyCipher: encryptSecret("sk-bench"), apiKeyHint: "ench", models: ["test-model"] },
  });
  const graph = {
    version: 1 as const,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
      {
        id: "a",
        type: "llm",
        position: { x: 200, y: 0 },
        data: { providerId: provider.id, model: "test-model", systemPrompt: "", userPrompt: "go", temperature: 0, outputFormat: "text", jsonSchema: "" },
      },
      { id: "end", type: "end", position: { x: 400, y: 0 }, data: { outputs: [{ name: "answer", value: "{{ a.text }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "a" },
      { id: "e2", source: "a", target: "end" },
    ],
  };
  const workflow = await db().workflow.create({ data: { workspaceId: workspace.id, name: "recovery", graph } });

  async function measure(label: string, env: Record<string, string>, rounds: number) {
    const workers = [await startWorker(env), await startWorker(env)];
    const times: number[] = [];
    for (let round = 0; round < rounds; round++) {
      server.reset();
      // Long enough to be in flight at the kill, whatever the lock settings.
      server.script({ text: "word ".repeat(400).trim(), chunkDelayMs: 250 }, { text: "recovered" });
      const { runId } = await createAndEnqueueRun(member, { workflowId: workflow.id, workflowName: "recovery", graph, inputs: {}, origin: { trigger: "editor" } });
      let holder: ChildProcess | undefined;
      while (!holder) {
        const run = await db().run.findUniqueOrThrow({ where: { id: runId } });
        const step = await db().runStep.findFirst({ where: { runId, nodeId: "a" } });
        if (run.leaseOwner && step && server.openStreams() === 1) holder = workers.find((w) => run.leaseOwner!.startsWith(`worker-${w.pid}-`));
        else await sleep(20);
      }
      holder.kill("SIGKILL");
      const killedAt = Date.now();
      for (;;) {
        const step = await db().runStep.findFirst({ where: { runId, nodeId: "a" } });
        if (step && step.attempt >= 2) {
          times.push(step.startedAt.getTime() - killedAt);
          break;
        }
        await sleep(20);
      }
      while ((await db().run.findUniqueOrThrow({ where: { id: runId } })).status !== "succeeded") await sleep(50);
      // Replace the killed worker so the next round again has a survivor.
      workers[workers.indexOf(holder)] = await startWorker(env);
    }
    for (const w of workers) w.kill("SIGKILL");
    await clearRedis();
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`  ${label}: SIGKILL → step restarted on the other worker: ${sorted.map((t) => `${t} ms`).join(", ")} (median ${sorted[Math.floor(sorted.length / 2)]} ms)`);
  }

  console.log("crash recovery (two worker processes, the holder SIGKILLed mid-LLM-step)");
  await measure("tuned   (lock 3000 ms, stalled check 1000 ms)", { WEFT_WORKER_LOCK_MS: "3000", WEFT_WORKER_STALLED_MS: "1000" }, ROUNDS);
  await measure("tuned   (lock 1000 ms, stalled check 500 ms) ", { WEFT_WORKER_LOCK_MS: "1000", WEFT_WORKER_STALLED_MS: "500" }, ROUNDS);
  if (!SKIP_DEFAULT) {
    // The defaults as the worker reads them (lib/env.ts), with nothing set.
    const lock = EnvSchema.shape.WEFT_WORKER_LOCK_MS.parse(undefined);
    const stalled = EnvSchema.shape.WEFT_WORKER_STALLED_MS.parse(undefined);
    await measure(`default (lock ${lock} ms, stalled check ${stalled} ms)`, {}, ROUNDS);
  }
  await server.close();
  await db().$disconnect();
}

await main();
process.exit(0);
