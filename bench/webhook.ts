/**
 * Benchmark: webhook throughput in sync mode. Starts the web process (`npm start`) on a built app (or attaches to a
 * running one with --attach) and N worker processes, creates the 3-node model-free `echo` workflow
 * (Start → Template → End), publishes it and adds a sync webhook through the HTTP API, then drives
 * `POST /api/hooks/{id}` from the keep-alive closed-loop load generator at each concurrency and
 * prints requests/s and p50/p90/p99 latency. `--auth hmac` signs every request (X-Weft-Signature).
 *
 *   npm run build   (once)
 *   npm run bench:webhook -- --concurrency 10,50 --requests 1000 --workers 1
 *
 * Uses its own database (BENCH_DATABASE_URL, default weft_bench_webhook, reset at start), Redis
 * prefix (weft-bench-webhook) and port (3301). The webhook rate limits are lifted for the run.
 */
import os from "node:os";
import { ensureDatabase } from "../scripts/lib/database";
import { startAutovacuumStandIn } from "./lib/autovacuum";
import { signWebhook } from "../lib/triggers/webhook-signature";
import { clearRedisPrefix, signUpAndPublish, startStack } from "./lib/app";
import { createClient, waitForServer, type HttpClient } from "./lib/http";
import { closedLoop, percentile, type Attempt } from "./lib/load";
import { benchWorkflows } from "./lib/workflows";
import { benchEnvironment } from "./lib/env";

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
};
const WORKERS = Number(arg("workers", "1"));
const CONCURRENCY = arg("concurrency", "10,50").split(",").map(Number);
const REQUESTS = Number(arg("requests", "1000"));
const WARMUP = Number(arg("warmup", "50"));
const PORT = Number(arg("port", "3301"));
const ATTACH = arg("attach", "");
const AUTH = arg("auth", "none");
if (AUTH !== "none" && AUTH !== "hmac") throw new Error("--auth must be none or hmac");
const PREFIX = process.env.BENCH_REDIS_PREFIX ?? "weft-bench-webhook";
const BASE = ATTACH || `http://127.0.0.1:${PORT}`;
const workflow = benchWorkflows.echo;

const benchEnv = benchEnvironment("webhook", BASE, {
  WEFT_REDIS_PREFIX: PREFIX,
  WEFT_SIGNUP: "open",
  WEFT_WEBHOOK_RATE_PER_MINUTE: "1000000",
  WEFT_WEBHOOK_IP_RATE_PER_MINUTE: "1000000",
});

interface Hook {
  path: string;
  secret: string | null;
}

async function setUp(client: HttpClient): Promise<Hook> {
  const { cookie, workflowId } = await signUpAndPublish(client, BASE, "bench webhook echo", workflow.graph);
  const created = await client.request("POST", `/api/workflows/${workflowId}/webhooks`, { name: "bench", authMode: AUTH, mode: "sync", syncTimeoutMs: 60_000 }, cookie);
  if (created.status !== 201) throw new Error(`webhook: ${created.status} ${created.body}`);
  const body = JSON.parse(created.body) as { webhook: { path: string }; secret: string | null };
  return { path: body.webhook.path, secret: body.secret };
}

const payload = JSON.stringify(workflow.inputs);
const expected = JSON.stringify(workflow.expected);

async function callOnce(client: HttpClient, hook: Hook): Promise<Attempt> {
  const started = performance.now();
  const timestamp = Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = hook.secret ? { "x-weft-timestamp": String(timestamp), "x-weft-signature": signWebhook(hook.secret, timestamp, payload) } : {};
  try {
    const response = await client.request("POST", hook.path, workflow.inputs, headers);
    const ms = performance.now() - started;
    if (response.status !== 200) return { ms, ok: false, detail: `${response.status} ${response.body.slice(0, 200)}` };
    const answer = JSON.parse(response.body) as { status: string; output: unknown };
    const ok = answer.status === "succeeded" && JSON.stringify(answer.output) === expected;
    return { ms, ok, detail: ok ? undefined : `${answer.status} ${JSON.stringify(answer.output).slice(0, 200)}` };
  } catch (error) {
    return { ms: performance.now() - started, ok: false, detail: String(error) };
  }
}

async function main() {
  if (!ATTACH) {
    await ensureDatabase(benchEnv.DATABASE_URL!, { reset: true, quiet: true });
    await clearRedisPrefix(benchEnv.REDIS_URL!, PREFIX);
  }
  const { stopAll } = await startStack({ attach: ATTACH, port: PORT, workers: WORKERS, env: benchEnv });
  const autovacuum = ATTACH ? null : await startAutovacuumStandIn(benchEnv.DATABASE_URL!);
  const setupClient = createClient(BASE, 4);
  try {
    await waitForServer(setupClient, "/api/v1/openapi.json", 60_000);
    const hook = await setUp(setupClient);
    console.log(`webhook (sync, auth ${AUTH}): 3-node model-free workflow, ${WORKERS} worker process(es), ${REQUESTS} requests per row after ${WARMUP} warm-up, keep-alive, ${os.cpus().length} cores`);
    console.log("| concurrent | requests/s | p50 / p90 / p99 ms | errors |");
    console.log("|---|---|---|---|");
    for (const concurrency of CONCURRENCY) {
      const client = createClient(BASE, concurrency);
      await closedLoop(WARMUP, Math.min(concurrency, WARMUP), () => callOnce(client, hook));
      const { seconds, latencies, failures } = await closedLoop(REQUESTS, concurrency, () => callOnce(client, hook));
      console.log(
        `| ${concurrency} | ${(REQUESTS / seconds).toFixed(1)} | ${percentile(latencies, 50).toFixed(1)} / ${percentile(latencies, 90).toFixed(1)} / ${percentile(latencies, 99).toFixed(1)} | ${failures.length} |`,
      );
      if (failures.length) console.error(`failures at ${concurrency}: ${[...new Set(failures)].slice(0, 3).join(" | ")}`);
      client.close();
    }
  } finally {
    setupClient.close();
    await autovacuum?.stop();
    stopAll();
  }
}

await main();
process.exit(0);
