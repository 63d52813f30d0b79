/**
 * Benchmark: resident memory (VmRSS from /proc) of the web app (`npm start`) and of one compiled
 * worker, idle after start, idle after its first run, and after N runs (default 10,000) of a model-free workflow driven through the public
 * API (`POST /api/v1/workflows/:id/runs`, sync mode, `--concurrency` requests at once). Sandbox
 * processes (the worker's children) are reported separately. Issue #9 asks: idle web ≤ 250 MiB,
 * idle worker ≤ 150 MiB, both flat (±20 %) after 10,000 runs.
 *
 * Needs a production build of the web app (`npm run build`, or pass --build). `--code` puts a
 * Code node in the workflow (Start → Code → Template → End) so the sandbox is exercised too.
 * `--worker-only` starts no web app: runs are created through the run service (as in
 * bench/queue-throughput.ts), to try worker settings quickly; it also prints the worker's CPU time.
 * `BENCH_WORKER_NODE_ARGS` / `BENCH_WEB_NODE_ARGS` add Node flags to the worker / the web app (e.g. "--max-semi-space-size=4"). `--heap`
 * also reports the live heap of both after a full GC (bench/waiting-memory-probe.mjs), which tells
 * a leak (live heap grows) from a heap V8 has not bothered to shrink.
 *
 *   npm run bench:memory -- [--runs 10000] [--concurrency 10] [--code] [--port 3400] [--build] [--worker-only]
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Redis } from "ioredis";
import { ensureDatabase } from "../scripts/lib/database";
import { webArgs } from "../scripts/lib/web-command";
import { buildWorker, projectRoot, workerArgs } from "../scripts/lib/worker-command";
import { benchWorkflows } from "./lib/workflows";
import { startAutovacuumStandIn } from "./lib/autovacuum";
import { hostSpeedProbeMs } from "./lib/host-speed";
import { BENCH_AUTH_SECRET } from "./lib/env";

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
};
const RUNS = Number(arg("runs", "10000"));
const CONCURRENCY = Number(arg("concurrency", "10"));
const PORT = Number(arg("port", "3400"));
const WITH_CODE = process.argv.includes("--code");
const WORKER_ONLY = process.argv.includes("--worker-only");
const HEAP = process.argv.includes("--heap");
/**
 * How long the processes idle before each reading. V8 keeps the heap a burst of work grew until its
 * memory reducer, which starts 8 s after the work stops (--gc-memory-reducer-start-delay-ms), has
 * collected and released it: measured here 30–35 s after the load. An earlier reading, 10 s after
 * the load, is printed beside each row to show what an idle process holds meanwhile.
 */
const SETTLE_MS = Number(arg("settle-ms", "45000"));
const EARLY_MS = Math.min(10_000, SETTLE_MS);
const PREFIX = process.env.BENCH_REDIS_PREFIX ?? "weft-bench-memory";
const benchEnv = {
  NODE_ENV: "production",
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft_bench_memory",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  WEFT_REDIS_PREFIX: PREFIX,
  WEFT_SECRET_KEYS: "b1:YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGU=",
  BETTER_AUTH_SECRET: BENCH_AUTH_SECRET,
  BETTER_AUTH_URL: `http://127.0.0.1:${PORT}`,
  NEXT_TELEMETRY_DISABLED: "1",
  LOG_LEVEL: "warn",
};
Object.assign(process.env, benchEnv);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const start = { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "n", label: "", type: "number", required: true, description: "" }] } };
const end = (value: string) => ({ id: "end", type: "end", position: { x: 800, y: 0 }, data: { outputs: [{ name: "summary", value }] } });
/** Start → Template → Condition → Template → End, the workflow the other benches drive. */
const modelFree = benchWorkflows.template.graph;
/** Start → Code (sums 1..n) → Template → End. */
const withCode = {
  version: 1 as const,
  nodes: [
    start,
    {
      id: "sum",
      type: "code",
      position: { x: 200, y: 0 },
      data: { inputs: [{ name: "n", value: "{{ start.n }}" }], code: "let s = 0; for (let i = 1; i <= inputs.n; i++) s += i; return { sum: s };", outputs: [{ name: "sum", type: "number" }] },
    },
    { id: "label", type: "template", position: { x: 400, y: 0 }, data: { template: "sum {{ sum.sum }}", format: "text" } },
    end("{{ label.text }}"),
  ],
  edges: [
    { id: "e1", source: "start", target: "sum" },
    { id: "e2", source: "sum", target: "label" },
    { id: "e3", source: "label", target: "end" },
  ],
};

/** Every process's parent, from /proc, to find a process's descendants (the web and the worker's children). */
function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // the process exited while we looked
    }
  }
  const found: number[] = [];
  const walk = (parent: number) => {
    for (const [child, p] of parentOf) if (p === parent) (found.push(child), walk(child));
  };
  walk(pid);
  return found;
}

const rssMiB = (pid: number) => {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
};

interface Sample {
  web: number;
  webChildren: number;
  worker: number;
  /** Live heap and RSS right after a full GC (--heap only). */
  webHeap?: AfterGc;
  workerHeap?: AfterGc;
  sandbox: { count: number; mib: number };
}

/** User + system CPU seconds of a process, from /proc/<pid>/stat. */
const cpuSeconds = (pid: number) => {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

function sample(web: ChildProcess | undefined, worker: ChildProcess): Sample {
  const webKids = web ? descendants(web.pid!) : [];
  const sandboxes = descendants(worker.pid!);
  return {
    web: web ? rssMiB(web.pid!) : 0,
    webChildren: webKids.reduce((sum, pid) => sum + rssMiB(pid), 0),
    worker: rssMiB(worker.pid!),
    sandbox: { count: sandboxes.length, mib: sandboxes.reduce((sum, pid) => sum + rssMiB(pid), 0) },
  };
}

function waitForLine(child: ChildProcess, text: string): Promise<void> {
  let output = "";
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`process exited with ${code} before "${text}":\n${output}`)));
    child.stdout!.on("data", (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-20_000);
      if (output.includes(text)) resolve();
    });
  });
}

async function startWeb(): Promise<ChildProcess> {
  // The real node process (not npx → sh → node), so its pid is the server's.
  const probe = HEAP ? ["--expose-gc", "--import", "./bench/waiting-memory-probe.mjs"] : [];
  const webNodeArgs = (process.env.BENCH_WEB_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const web = spawn(process.execPath, webArgs(PORT, "127.0.0.1", [...webNodeArgs, ...probe]), { cwd: projectRoot, env: process.env, stdio: ["ignore", "pipe", "inherit"] });
  web.stdout!.on("data", (chunk: Buffer) => logs.set(web, ((logs.get(web) ?? "") + chunk.toString()).slice(-5_000)));
  for (let i = 0; i < 120; i++) {
    const ok = await fetch(`http://127.0.0.1:${PORT}/sign-in`).then((r) => r.ok, () => false);
    if (ok) return web;
    await sleep(500);
  }
  throw new Error("the web process did not answer on /sign-in within 60 s");
}

async function startWorker(): Promise<ChildProcess> {
  const nodeArgs = [...(process.env.BENCH_WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean), ...(HEAP ? ["--expose-gc", "--import", "./bench/waiting-memory-probe.mjs"] : [])];
  const worker = spawn(process.execPath, workerArgs(nodeArgs), { cwd: projectRoot, env: { ...process.env, LOG_LEVEL: "info" }, stdio: ["ignore", "pipe", "inherit"] });
  await waitForLine(worker, "worker ready");
  // Keep reading its log so the pipe never fills; the last probe line answers afterGc().
  worker.stdout!.on("data", (chunk: Buffer) => logs.set(worker, ((logs.get(worker) ?? "") + chunk.toString()).slice(-5_000)));
  return worker;
}

/** The tail of each process's output. */
const logs = new Map<ChildProcess, string>();
/** --heap: the probe collects garbage on SIGUSR2 and prints the process's memory: its heapUsed and its RSS right after that full GC. */
interface AfterGc {
  heap: number;
  rss: number;
  heapTotal: number;
  external: number;
  spacesMiB: Record<string, number>;
}
async function afterGc(child: ChildProcess): Promise<AfterGc> {
  logs.set(child, "");
  child.kill("SIGUSR2");
  for (let i = 0; i < 200; i++) {
    const match = /MEMORY (\{.*\})\n/.exec(logs.get(child) ?? "");
    if (match) {
      const memory = JSON.parse(match[1]!) as { heapUsed: number; rss: number; heapTotal: number; external: number; spacesMiB?: Record<string, number> };
      return { heap: memory.heapUsed / 1048576, rss: memory.rss / 1048576, heapTotal: memory.heapTotal / 1048576, external: memory.external / 1048576, spacesMiB: memory.spacesMiB ?? {} };
    }
    await sleep(25);
  }
  return { heap: Number.NaN, rss: Number.NaN, heapTotal: Number.NaN, external: Number.NaN, spacesMiB: {} };
}

async function main() {
  buildWorker();
  if (process.argv.includes("--build")) await spawnInherit("npx", ["next", "build"]);
  if (!WORKER_ONLY && !existsSync(path.join(projectRoot, ".next/BUILD_ID"))) throw new Error("No production build of the web app: run `npm run build` first (or pass --build).");
  await ensureDatabase(benchEnv.DATABASE_URL, { reset: true, quiet: true });
  const redis = new Redis(benchEnv.REDIS_URL);
  const keys = await redis.keys(`${PREFIX}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();

  const { db } = await import("../lib/db/client");
  const { publishWorkflow } = await import("../lib/workflows/versions");
  const { createApiKey } = await import("../lib/api-keys/service");
  const user = await db().user.create({ data: { id: randomUUID(), name: "Bench", email: `bench-${randomUUID()}@example.test` } });
  const workspace = await db().workspace.create({ data: { name: "Bench" } });
  await db().membership.create({ data: { userId: user.id, workspaceId: workspace.id, role: "owner" } });
  const member = { userId: user.id, email: user.email, name: user.name, workspaceId: workspace.id, workspaceName: workspace.name, role: "owner" as const };
  const workflow = await db().workflow.create({ data: { workspaceId: workspace.id, name: "memory bench", graph: WITH_CODE ? withCode : modelFree } });
  await publishWorkflow(member, workflow.id);
  const { secret } = await createApiKey(member, { name: "memory bench", scopes: ["workflows:read", "runs:read", "runs:write"] });

  const web = WORKER_ONLY ? undefined : await startWeb();
  const worker = await startWorker();
  const stopAll = () => {
    for (const child of [web, worker]) if (child && child.exitCode === null) child.kill("SIGTERM");
  };
  process.on("exit", stopAll);
  const autovacuum = await startAutovacuumStandIn(benchEnv.DATABASE_URL);

  const measure = async (): Promise<Sample> => ({
    ...sample(web, worker),
    ...(HEAP ? { workerHeap: await afterGc(worker), ...(web ? { webHeap: await afterGc(web) } : {}) } : {}),
  });
  /** Idles: RSS after EARLY_MS, then the reading after SETTLE_MS. */
  const settle = async (label: string): Promise<[string, Sample, Sample]> => {
    await sleep(EARLY_MS);
    const early = sample(web, worker);
    await sleep(SETTLE_MS - EARLY_MS);
    return [label, await measure(), early];
  };
  const samples: [label: string, settled: Sample, early: Sample][] = [await settle("idle after start")];

  let errors = 0;
  let done = 0;
  const { createAndEnqueueRun } = await import("../lib/runs/service");
  /** Without the web app: create the run through the service and poll until it has finished. */
  const runThroughService = async (i: number) => {
    const { runId } = await createAndEnqueueRun(member, { workflowId: workflow.id, workflowName: workflow.name, graph: workflow.graph as never, inputs: { n: i % 100 }, origin: { trigger: "editor" } });
    for (;;) {
      const run = await db().run.findUnique({ where: { id: runId }, select: { status: true } });
      if (run && !["queued", "running"].includes(run.status)) return run.status === "succeeded";
      await sleep(10);
    }
  };
  const runOnce = async (i: number) => {
    if (WORKER_ONLY) {
      if (!(await runThroughService(i))) errors++;
      done++;
      return;
    }
    const response = await fetch(`http://127.0.0.1:${PORT}/api/v1/workflows/${workflow.id}/runs`, {
      method: "POST",
      headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
      body: JSON.stringify({ inputs: { n: i % 100 }, mode: "sync", timeoutMs: 60_000 }),
    });
    const body = (await response.json().catch(() => null)) as { status?: string } | null;
    if (response.status !== 200 || body?.status !== "succeeded") errors++;
    done++;
  };
  const drive = async (from: number, to: number) => {
    let next = from;
    await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
      while (next < to) await runOnce(next++);
    }));
  };

  // A process that has served one run has loaded what its first request loads (route modules,
  // pooled connections, the sandbox's first isolates): growth past that row is what runs add.
  await drive(0, 1);
  await autovacuum.passNow();
  samples.push(await settle("idle after its first run"));

  const checkpoints = [...new Set([Math.min(1000, RUNS), RUNS])];
  let from = 1;
  const started = performance.now();
  const workerCpuBefore = cpuSeconds(worker.pid!);
  for (const checkpoint of checkpoints) {
    await drive(from, checkpoint);
    from = checkpoint;
    console.error(`[memory] ${done} runs (${errors} errors) in ${((performance.now() - started) / 1000).toFixed(0)} s; settling ${SETTLE_MS / 1000} s`);
    samples.push(await settle(`idle after ${checkpoint.toLocaleString("en")} runs`));
  }
  const workerCpu = cpuSeconds(worker.pid!) - workerCpuBefore;
  const wall = (performance.now() - started) / 1000 - (checkpoints.length * SETTLE_MS) / 1000;
  await autovacuum.stop();
  stopAll();
  await db().$disconnect();

  const f = (mib: number) => `${mib.toFixed(0)} MiB`;
  const base = samples[0]![1];
  const served = samples[1]![1];
  const change = (now: number, then: number) => `${now >= then ? "+" : ""}${(((now - then) / then) * 100).toFixed(0)} %`;
  const via = WORKER_ONLY ? "the run service (no web app)" : "POST /api/v1/workflows/:id/runs (sync)";
  console.log(`memory: ${WITH_CODE ? "Start → Code → Template → End" : "5-node model-free workflow"}, ${RUNS} runs through ${via}, ${CONCURRENCY} at once, ${errors} errors; RSS from /proc/<pid>/status after ${SETTLE_MS / 1000} s idle`);
  console.log(`host speed probe: ${hostSpeedProbeMs().toFixed(1)} ms of fixed CPU work, fastest of 15 rounds (bench/lib/host-speed.ts; lower is faster)`);
  console.log(`worker flags: ${workerArgs((process.env.BENCH_WORKER_NODE_ARGS ?? "").split(" ").filter(Boolean)).join(" ")}; ${(RUNS / wall).toFixed(0)} runs/s, worker CPU ${((workerCpu / RUNS) * 1000).toFixed(1)} ms per run`);
  console.log(`| when | web | web children | worker | change web / worker vs idle after start | vs idle after its first run | sandbox processes | web / worker ${EARLY_MS / 1000} s after |`);
  console.log("|---|---|---|---|---|---|---|---|");
  for (const [label, s, early] of samples) {
    const heap = (gc: Sample["webHeap"]) => (gc ? ` (after a full GC: live heap ${f(gc.heap)} of ${f(gc.heapTotal)} kept, external ${f(gc.external)}, RSS ${f(gc.rss)})` : "");
    const webCells = web ? [`${f(s.web)}${heap(s.webHeap)}`, s.webChildren ? f(s.webChildren) : "none"] : ["not started", "-"];
    const changes = (from: Sample) => (web ? `${change(s.web, from.web)} / ${change(s.worker, from.worker)}` : `- / ${change(s.worker, from.worker)}`);
    console.log(`| ${label} | ${webCells.join(" | ")} | ${f(s.worker)}${heap(s.workerHeap)} | ${changes(base)} | ${changes(served)} | ${s.sandbox.count} (${f(s.sandbox.mib)}) | ${web ? f(early.web) : "-"} / ${f(early.worker)} |`);
    if (s.webHeap) console.error(`[memory] ${label}: web heap spaces after GC (MiB): ${JSON.stringify(s.webHeap.spacesMiB)}`);
  }
}

function spawnInherit(command: string, args: string[]) {
  return new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { cwd: projectRoot, stdio: "inherit", env: process.env });
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(" ")} exited with ${code}`))));
  });
}

await main();
process.exit(0);
