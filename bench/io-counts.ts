/**
 * SQL statements and Redis commands per run of `POST /api/v1/workflows/{id}/runs` (sync), counted
 * without a Next build: the route handler runs in this process (as the integration tests call it),
 * the run in a real worker process. Quick enough to compare two versions of the code.
 *
 *   npm run bench:io -- --workflow template --runs 50
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureDatabase } from "../scripts/lib/database";
import { benchWorkflows, isBenchWorkflow } from "./lib/workflows";
import { BENCH_AUTH_SECRET } from "./lib/env";

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
};
const WORKFLOW = arg("workflow", "template");
const RUNS = Number(arg("runs", "50"));
if (!isBenchWorkflow(WORKFLOW)) throw new Error(`--workflow must be one of ${Object.keys(benchWorkflows).join(", ")}`);
const workflow = benchWorkflows[WORKFLOW];
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const COUNTERS_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "weft-io-counts-"));

Object.assign(process.env, {
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft_bench_path_io",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  WEFT_REDIS_PREFIX: process.env.BENCH_REDIS_PREFIX ?? "weft-bench-path-io",
  WEFT_SECRET_KEYS: "b1:YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGU=",
  BETTER_AUTH_SECRET: BENCH_AUTH_SECRET,
  WEFT_BENCH_COUNTERS_DIR: COUNTERS_DIR,
  LOG_LEVEL: "warn",
});

type Counted = { sql: { statements: number; byKind: Record<string, number> }; redis: { commands: number; roundTrips: number; byCommand: Record<string, number> } };
/** This process writes its counts directly; the worker on SIGUSR2 (lib/metrics/io-counters.ts). */
async function settle(workerPid: number): Promise<void> {
  const { writeIoCounts } = await import("../lib/metrics/io-counters");
  await sleep(100);
  writeIoCounts();
  process.kill(workerPid, "SIGUSR2");
  await sleep(300);
}
const read = (pid: number): Counted => JSON.parse(fs.readFileSync(path.join(COUNTERS_DIR, `${pid}.json`), "utf8")) as Counted;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function delta(after: Counted, before: Counted, runs: number): string {
  const table = (a: Record<string, number>, b: Record<string, number>) =>
    Object.entries(a)
      .map(([k, v]) => [k, v - (b[k] ?? 0)] as const)
      .filter(([, v]) => v !== 0)
      .sort((x, y) => y[1] - x[1])
      .map(([k, v]) => `${k} ${(v / runs).toFixed(2)}`)
      .join(", ");
  return (
    `SQL ${((after.sql.statements - before.sql.statements) / runs).toFixed(2)} [${table(after.sql.byKind, before.sql.byKind)}]; ` +
    `Redis ${((after.redis.commands - before.redis.commands) / runs).toFixed(2)} commands in ${((after.redis.roundTrips - before.redis.roundTrips) / runs).toFixed(2)} round trips [${table(after.redis.byCommand, before.redis.byCommand)}]`
  );
}

async function main() {
  await ensureDatabase(process.env.DATABASE_URL!, { reset: true, quiet: true });
  const worker = spawn(process.execPath, ["--import", "tsx", "workers/run-worker.ts"], { cwd: root, env: { ...process.env, LOG_LEVEL: "info" }, stdio: ["ignore", "pipe", "inherit"] });
  await new Promise<void>((resolve) => worker.stdout!.on("data", (d: Buffer) => d.toString().includes("worker started") && resolve()));

  const { db } = await import("../lib/db/client");
  const { createApiKey } = await import("../lib/api-keys/service");
  const { createWorkflow } = await import("../lib/workflows/service");
  const { publishWorkflow } = await import("../lib/workflows/versions");
  const route = await import("../app/api/v1/workflows/[id]/runs/route");
  const user = await db().user.create({ data: { id: crypto.randomUUID(), name: "Bench", email: `bench-${crypto.randomUUID()}@example.test` } });
  const workspace = await db().workspace.create({ data: { name: "Bench" } });
  await db().membership.create({ data: { userId: user.id, workspaceId: workspace.id, role: "owner" } });
  const member = { userId: user.id, email: user.email, name: user.name, workspaceId: workspace.id, workspaceName: workspace.name, role: "owner" as const };
  const { id } = await createWorkflow(member, { name: `bench ${WORKFLOW}`, graph: workflow.graph as never });
  await publishWorkflow(member, id);
  const { secret } = await createApiKey(member, { name: "bench", scopes: ["runs:write", "runs:read"] });

  const runOnce = async () => {
    const request = new Request(`http://bench.test/api/v1/workflows/${id}/runs`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: JSON.stringify({ inputs: workflow.inputs, mode: "sync", timeoutMs: 30_000 }),
    });
    const response = await route.POST(request, { params: Promise.resolve({ id }) });
    const run = (await response.json()) as { status: string; output: unknown };
    if (run.status !== "succeeded" || JSON.stringify(run.output) !== JSON.stringify(workflow.expected)) throw new Error(`unexpected ${JSON.stringify(run).slice(0, 300)}`);
  };
  for (let i = 0; i < 10; i++) await runOnce();
  await settle(worker.pid!);
  const before = { web: read(process.pid), worker: read(worker.pid!) };
  const cpuBefore = process.cpuUsage();
  for (let i = 0; i < RUNS; i++) await runOnce();
  const cpu = process.cpuUsage(cpuBefore);
  await settle(worker.pid!);
  console.log(`io-counts: workflow ${WORKFLOW}, ${RUNS} sequential sync runs through the route handler, per run:`);
  console.log(`  web:    ${delta(read(process.pid), before.web, RUNS)}`);
  console.log(`  web CPU (the route handler in this process, tsx, no Next): ${((cpu.user + cpu.system) / 1000 / RUNS).toFixed(2)} ms per run`);
  console.log(`  worker: ${delta(read(worker.pid!), before.worker, RUNS)}`);
  worker.kill("SIGTERM");
  await db().$disconnect();
  fs.rmSync(COUNTERS_DIR, { recursive: true, force: true });
}

await main();
process.exit(0);
