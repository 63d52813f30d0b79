/**
 * Benchmark: the synchronous public API as users meet it. Starts the web process (`npm start`) on a built app (or
 * attaches to a running one with --attach) and N worker processes, creates a workflow through the
 * HTTP API (sign-up, sign-in, create, publish, API key), then drives
 * `POST /api/v1/workflows/{id}/runs` with `mode: "sync"` from a keep-alive load generator at each
 * concurrency. Prints requests/s, latency percentiles, errors, CPU seconds per 1,000 requests of web
 * and worker (from /proc), RSS before and after, sandbox processes forked, and the SQL statements
 * and Redis commands and round trips per run (counted inside the processes, lib/metrics/io-counters.ts),
 * the CPU of the PostgreSQL backends serving the bench database, the WAL flushes per run (each
 * durable commit waits for one; concurrent commits may share one), and the context switches per run
 * of web, worker, sandbox processes and backends (hand-overs between processes and threads, which
 * cost tens of µs each on this project's VMs and hardly depend on the host's speed).
 *
 *   npm run build   (once)
 *   npm run bench:http -- --workflow template --workers 1 --concurrency 10,50 --requests 500
 *   npm run bench:http -- --workflow sum --workers 2
 *
 * Uses its own database (BENCH_DATABASE_URL, default weft_bench_path, reset at start), Redis
 * prefix (weft-bench-path) and port (3300).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ensureDatabase } from "../scripts/lib/database";
import { clearRedisPrefix, signUpAndPublish, startStack } from "./lib/app";
import { createClient, PreparedJson, waitForServer, type HttpClient } from "./lib/http";
import { closedLoop, percentile, type Attempt } from "./lib/load";
import {
  backendCpuBetween,
  contextSwitches,
  databaseBackendCpu,
  databaseBackendSwitches,
  rssMiB,
  splitCpu,
  treeContextSwitches,
  treeCpu,
  treeRssMiB,
  walFlushes,
  watchForks,
} from "./lib/proc";
import { benchWorkflows, isBenchWorkflow } from "./lib/workflows";
import { benchEnvironment } from "./lib/env";
import { startAutovacuumStandIn } from "./lib/autovacuum";
import { countsLine, diffCounts, perRun, settleCounters as settleIn, sumCounts as sumIn, webPids, type Counts } from "./lib/io-counts";
import { hostSpeedProbeMs } from "./lib/host-speed";

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
};
const WORKFLOW = arg("workflow", "template");
const WORKERS = Number(arg("workers", "1"));
const CONCURRENCY = arg("concurrency", "10,50").split(",").map(Number);
const REQUESTS = Number(arg("requests", "500"));
const WARMUP = Number(arg("warmup", "20"));
const PROBE = Number(arg("probe", "20"));
const PORT = Number(arg("port", "3300"));
const ATTACH = arg("attach", "");
const PREFIX = process.env.BENCH_REDIS_PREFIX ?? "weft-bench-path";
const COUNTERS_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "weft-bench-counters-"));
const BASE = ATTACH || `http://127.0.0.1:${PORT}`;

if (!isBenchWorkflow(WORKFLOW)) throw new Error(`--workflow must be one of ${Object.keys(benchWorkflows).join(", ")}`);
const workflow = benchWorkflows[WORKFLOW];

const benchEnv = benchEnvironment("path", BASE, { WEFT_REDIS_PREFIX: PREFIX, WEFT_SIGNUP: "open", WEFT_BENCH_COUNTERS_DIR: COUNTERS_DIR });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/**
 * PostgreSQL's backends report their WAL statistics at most once a second while busy (and up to
 * 10 s later once idle), so the WAL flushes are counted over a row's many runs only, where that
 * lag is a few flushes among hundreds.
 */
const STATS_LAG_MS = 1_200;

/** Sign-up, sign-in, workflow, publish and API key, all through the app's HTTP API. */
async function setUp(client: HttpClient): Promise<{ workflowId: string; apiKey: string }> {
  const { cookie, workflowId } = await signUpAndPublish(client, BASE, `bench ${WORKFLOW}`, workflow.graph);
  const key = await client.request("POST", "/api/api-keys", { name: "bench", scopes: ["workflows:read", "runs:read", "runs:write"] }, cookie);
  if (key.status !== 201) throw new Error(`api key: ${key.status} ${key.body}`);
  return { workflowId, apiKey: (JSON.parse(key.body) as { secret: string }).secret };
}

const settleCounters = () => settleIn(COUNTERS_DIR);
const sumCounts = (pids: number[]) => sumIn(COUNTERS_DIR, pids);

/** The same request every time: its JSON is made once. */
const REQUEST_JSON = new PreparedJson(JSON.stringify({ inputs: workflow.inputs, mode: "sync", timeoutMs: 60_000 }));
const EXPECTED_JSON = JSON.stringify(workflow.expected);

async function runOnce(client: HttpClient, workflowId: string, apiKey: string): Promise<Attempt> {
  const started = performance.now();
  try {
    const response = await client.request("POST", `/api/v1/workflows/${workflowId}/runs`, REQUEST_JSON, { authorization: `Bearer ${apiKey}` });
    const ms = performance.now() - started;
    if (response.status !== 200) return { ms, ok: false, detail: `${response.status} ${response.body.slice(0, 200)}` };
    const run = JSON.parse(response.body) as { status: string; output: unknown };
    const ok = run.status === "succeeded" && JSON.stringify(run.output) === EXPECTED_JSON;
    return { ms, ok, detail: ok ? undefined : `${run.status} ${JSON.stringify(run.output).slice(0, 200)}` };
  } catch (error) {
    return { ms: performance.now() - started, ok: false, detail: String(error) };
  }
}

function printCounts(label: string, web: Counts, worker: Counts, runs: number) {
  console.log(`${label} (per run, ${runs} runs):`);
  console.log(`  web:    ${countsLine(web, runs)}`);
  console.log(`  worker: ${countsLine(worker, runs)}`);
}

async function main() {
  if (!ATTACH) {
    await ensureDatabase(benchEnv.DATABASE_URL, { reset: true, quiet: true });
    await clearRedisPrefix(benchEnv.REDIS_URL!, PREFIX);
  }
  const { web, workers, stopAll } = await startStack({ attach: ATTACH, port: PORT, workers: WORKERS, env: benchEnv });
  const autovacuum = ATTACH ? null : await startAutovacuumStandIn(benchEnv.DATABASE_URL!);
  const setupClient = createClient(BASE, 4);
  try {
    await waitForServer(setupClient, "/api/v1/openapi.json", 60_000);
    const { workflowId, apiKey } = await setUp(setupClient);
    const workerPids = workers.map((w) => w.pid!);
    const webTree = () => webPids(web);
    /** Context switches so far of the web (with its children), the workers, and the workers' sandbox processes. */
    const processSwitches = () => ({
      web: web?.pid ? treeContextSwitches(web.pid) : 0,
      worker: workerPids.reduce((sum, pid) => sum + contextSwitches(pid), 0),
      sandbox: workerPids.reduce((sum, pid) => sum + treeContextSwitches(pid) - contextSwitches(pid), 0),
    });

    // Warm-up, then a sequential probe: the exact per-run counts with no concurrency.
    const warm = createClient(BASE, 1);
    for (let i = 0; i < WARMUP; i++) await runOnce(warm, workflowId, apiKey);
    await settleCounters();
    const probeBefore = { web: sumCounts(webTree()), worker: sumCounts(workerPids) };
    let probeFailures = 0;
    const probeMs: number[] = [];
    for (let i = 0; i < PROBE; i++) {
      const result = await runOnce(warm, workflowId, apiKey);
      probeMs.push(result.ms);
      if (!result.ok) probeFailures += 1;
    }
    probeMs.sort((a, b) => a - b);
    await autovacuum?.passNow();
    await settleCounters();
    warm.close();
    console.log(`http-runs: workflow ${WORKFLOW}, ${WORKERS} worker process(es), ${REQUESTS} requests per row after ${WARMUP} warm-up, keep-alive, ${os.cpus().length} cores`);
    console.log(`machine load average (1 min) at start: ${os.loadavg()[0]!.toFixed(2)}; sequential latency p50 ${percentile(probeMs, 50).toFixed(1)} ms, max ${probeMs.at(-1)!.toFixed(1)} ms`);
    console.log(`host speed probe: ${hostSpeedProbeMs().toFixed(1)} ms of fixed CPU work, fastest of 15 rounds (bench/lib/host-speed.ts; lower is faster, compare it before comparing figures of different days)`);
    printCounts(`sequential probe${probeFailures ? ` (${probeFailures} failed)` : ""}`, diffCounts(sumCounts(webTree()), probeBefore.web), diffCounts(sumCounts(workerPids), probeBefore.worker), PROBE);

    const rows: string[] = [];
    for (const concurrency of CONCURRENCY) {
      const client = createClient(BASE, concurrency);
      await closedLoop(WARMUP, Math.min(concurrency, WARMUP), () => runOnce(client, workflowId, apiKey));
      await settleCounters();
      await sleep(STATS_LAG_MS);
      const before = {
        walFlushes: await walFlushes(benchEnv.DATABASE_URL!),
        web: sumCounts(webTree()),
        worker: sumCounts(workerPids),
        webCpu: web?.pid ? treeCpu(web.pid) : 0,
        workerCpu: workerPids.map(splitCpu),
        webRss: web?.pid ? treeRssMiB(web.pid) : 0,
        workerRss: workerPids.map(rssMiB),
        databaseCpu: await databaseBackendCpu(benchEnv.DATABASE_URL!),
        switches: processSwitches(),
        databaseSwitches: await databaseBackendSwitches(benchEnv.DATABASE_URL!),
      };
      const forks = workerPids.map((pid) => watchForks(pid));
      const ownCpu = process.cpuUsage();
      const result = await closedLoop(REQUESTS, concurrency, () => runOnce(client, workflowId, apiKey));
      const loadCpu = process.cpuUsage(ownCpu);
      const forked = forks.reduce((sum, f) => sum + f.stop().length, 0);
      await settleCounters();
      const webCpu = (web?.pid ? treeCpu(web.pid) : 0) - before.webCpu;
      const workerCpu = workerPids.map(splitCpu).reduce((sum, cpu, i) => sum + cpu.own - before.workerCpu[i]!.own, 0);
      const sandboxCpu = workerPids.map(splitCpu).reduce((sum, cpu, i) => sum + cpu.children - before.workerCpu[i]!.children, 0);
      const perK = (seconds: number) => ((seconds / REQUESTS) * 1000).toFixed(2);
      const databaseCpu = backendCpuBetween(before.databaseCpu, await databaseBackendCpu(benchEnv.DATABASE_URL!));
      const switchesAfter = processSwitches();
      const databaseSwitches = backendCpuBetween(before.databaseSwitches, await databaseBackendSwitches(benchEnv.DATABASE_URL!));
      const switchesPerRun = (after: number, start: number) => ((after - start) / REQUESTS).toFixed(1);
      await sleep(STATS_LAG_MS);
      const flushes = (await walFlushes(benchEnv.DATABASE_URL!)) - before.walFlushes;
      const webRssAfter = web?.pid ? treeRssMiB(web.pid) : 0;
      const workerRssAfter = workerPids.map(rssMiB);
      const sandboxRss = workerPids.reduce((sum, pid) => sum + treeRssMiB(pid) - rssMiB(pid), 0);
      const { latencies } = result;
      const webCounts = diffCounts(sumCounts(webTree()), before.web);
      const workerCounts = diffCounts(sumCounts(workerPids), before.worker);
      rows.push(
        `| ${concurrency} | ${(REQUESTS / result.seconds).toFixed(1)} | ${percentile(latencies, 50).toFixed(1)} / ${percentile(latencies, 90).toFixed(1)} / ${percentile(latencies, 99).toFixed(1)} | ${result.failures.length} | ${perK(webCpu)} | ${perK(workerCpu)} + ${perK(sandboxCpu)} sandbox | ${perK(databaseCpu)} | ${perK((loadCpu.user + loadCpu.system) / 1e6)} | ${before.webRss.toFixed(0)} → ${webRssAfter.toFixed(0)} | ${before.workerRss.map((r) => r.toFixed(0)).join("+")} → ${workerRssAfter.map((r) => r.toFixed(0)).join("+")} (sandbox ${sandboxRss.toFixed(0)}) | ${forked} | ${perRun(webCounts.sql + workerCounts.sql, REQUESTS)} (${perRun(webCounts.sql, REQUESTS)} + ${perRun(workerCounts.sql, REQUESTS)}) | ${perRun(webCounts.redisCommands + workerCounts.redisCommands, REQUESTS)} / ${perRun(webCounts.redisRoundTrips + workerCounts.redisRoundTrips, REQUESTS)} | ${perRun(flushes, REQUESTS)} | ${switchesPerRun(switchesAfter.web, before.switches.web)} / ${switchesPerRun(switchesAfter.worker, before.switches.worker)} + ${switchesPerRun(switchesAfter.sandbox, before.switches.sandbox)} / ${(databaseSwitches / REQUESTS).toFixed(1)} |`,
      );
      if (result.failures.length) console.error(`failures at ${concurrency}: ${[...new Set(result.failures)].slice(0, 3).join(" | ")}`);
      console.log(`load average (1 min) after the row at ${concurrency}: ${os.loadavg()[0]!.toFixed(2)}`);
      printCounts(`under load at ${concurrency} concurrent (background work of the worker included)`, webCounts, workerCounts, REQUESTS);
      client.close();
    }
    console.log("| concurrent | requests/s | p50 / p90 / p99 ms | errors | web CPU s per 1,000 | worker CPU s per 1,000 | PostgreSQL CPU s per 1,000 | load generator CPU s per 1,000 | web RSS MiB before → after | worker RSS MiB | processes forked | SQL per run (web + worker) | Redis commands / round trips per run | WAL flushes per run | context switches per run: web / worker + sandbox / PostgreSQL |");
    console.log("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
    for (const row of rows) console.log(row);
  } finally {
    setupClient.close();
    await autovacuum?.stop();
    stopAll();
    await sleep(500);
    fs.rmSync(COUNTERS_DIR, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
