/**
 * Benchmark: time to first token through the OpenAI-compatible endpoint versus the test model
 * server directly, at `--concurrency` (default 20) concurrent streaming requests, with the official
 * `openai` client on real sockets both ways. Prints p50/p99 of each and the difference (Weft's
 * overhead: route, run insert, queue, worker, LLM step, Redis pub/sub, run follower, SSE). Asserts nothing.
 *
 *   node --import tsx bench/openai-ttft.ts [--concurrency 20] [--requests 200] [--chunk-delay-ms 20]
 *
 * Self-contained: its own database (BENCH_DATABASE_URL, default weft_bench_openai, reset at start),
 * Redis prefix (weft-bench-openai), one worker process from dist/worker (`npm run build:worker`),
 * and the route handler served by a plain node:http server in this process (no `next build`
 * needed; Next's own routing, about 0.25 ms a request, is therefore not included).
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import path from "node:path";
import { Readable } from "node:stream";
import { ensureDatabase } from "../scripts/lib/database";
import { WORKER_BUNDLE, projectRoot, workerArgs } from "../scripts/lib/worker-command";

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
};
const CONCURRENCY = Number(arg("concurrency", "20"));
const REQUESTS = Number(arg("requests", "200"));
const CHUNK_DELAY_MS = Number(arg("chunk-delay-ms", "20"));
const PORT = Number(arg("port", "3301"));

const benchEnv: Record<string, string> = {
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft_bench_openai",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  WEFT_REDIS_PREFIX: process.env.BENCH_REDIS_PREFIX ?? "weft-bench-openai",
  WEFT_SECRET_KEYS: "b1:YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGU=",
  BETTER_AUTH_SECRET: "bench-secret-0123456789abcdef",
  BETTER_AUTH_URL: `http://127.0.0.1:${PORT}`,
  LOG_LEVEL: "warn",
  // The model server listens on 127.0.0.1, which the network policy blocks by default.
  WEFT_ALLOW_PRIVATE_NETWORK: "true",
};
Object.assign(process.env, benchEnv);

if (!existsSync(path.join(projectRoot, WORKER_BUNDLE))) {
  console.error("No worker bundle in dist/worker. Build it with `npm run build:worker`, then run this again.");
  process.exit(2);
}
await ensureDatabase(benchEnv.DATABASE_URL!, { reset: true, quiet: true });

// Imported after the environment is set: these read it when first used.
const { default: OpenAI } = await import("openai");
const { startOpenAiServer } = await import("../tests/fixtures/openai-server");
const { createTestMember } = await import("../tests/integration/helpers/members");
const { createTestProvider } = await import("../tests/integration/helpers/providers");
const { exampleWorkflows } = await import("@/lib/examples/workflows");
const { createWorkflow, getWorkflow } = await import("@/lib/workflows/service");
const { publishWorkflow } = await import("@/lib/workflows/versions");
const { createApiKey } = await import("@/lib/api-keys/service");
const completions = await import("@/app/api/v1/openai/chat/completions/route");

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

/** node:http → the route handler (a web Request/Response), streaming the body out as it comes. */
async function serve(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const abort = new AbortController();
  res.on("close", () => abort.abort());
  const request = new Request(`http://127.0.0.1:${PORT}${req.url}`, {
    method: req.method,
    headers: req.headers as Record<string, string>,
    body: chunks.length ? Buffer.concat(chunks) : undefined,
    signal: abort.signal,
  });
  const response = req.url === "/api/v1/openai/chat/completions" && req.method === "POST" ? await completions.POST(request) : new Response("not found", { status: 404 });
  res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
  if (response.body) Readable.fromWeb(response.body as import("node:stream/web").ReadableStream).pipe(res);
  else res.end();
}

/** Time to the first content delta of one streamed completion, in ms. */
async function firstToken(client: InstanceType<typeof OpenAI>, model: string, n: number): Promise<number> {
  const started = performance.now();
  const stream = await client.chat.completions.create({ model, stream: true, messages: [{ role: "user", content: `question ${n} with several words to stream back` }] });
  let first = NaN;
  for await (const chunk of stream) {
    if (Number.isNaN(first) && chunk.choices[0]?.delta.content) first = performance.now() - started;
  }
  return first;
}

async function measure(label: string, client: InstanceType<typeof OpenAI>, model: string): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  const lane = async () => {
    while (next < REQUESTS) times.push(await firstToken(client, model, next++));
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, lane));
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(28)} ${REQUESTS} streams, ${CONCURRENCY} concurrent: TTFT p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, ` +
      `max ${times.at(-1)!.toFixed(1)} ms; ${(REQUESTS / seconds).toFixed(0)} streams/s`,
  );
  return times;
}

const model = await startOpenAiServer({ apiKey: "sk-bench-key-1234", chunkDelayMs: CHUNK_DELAY_MS });
const worker = spawn(process.execPath, workerArgs(), { cwd: projectRoot, env: { ...process.env, ...benchEnv }, stdio: ["ignore", "pipe", "pipe"] });
let workerLog = "";
worker.stdout!.on("data", (c: Buffer) => (workerLog += c.toString()));
worker.stderr!.on("data", (c: Buffer) => (workerLog += c.toString()));
const server = createServer((req, res) => void serve(req, res).catch((error: unknown) => res.destroy(error as Error)));
try {
  await new Promise<void>((resolve) => server.listen(PORT, "127.0.0.1", resolve));
  const member = await createTestMember("developer");
  const providerId = (await createTestProvider(member.workspaceId, model.url, { apiKey: "sk-bench-key-1234" })).id;
  const [assistant] = exampleWorkflows({ providerId, model: "test-model" });
  const { id } = await createWorkflow(member, { name: assistant!.name, graph: assistant!.graph });
  await publishWorkflow(member, id);
  const slug = (await getWorkflow(member, id)).slug;
  const { secret } = await createApiKey(member, { name: "bench", scopes: ["workflows:read", "runs:write"] });
  const weft = new OpenAI({ apiKey: secret, baseURL: `http://127.0.0.1:${PORT}/api/v1/openai`, maxRetries: 0 });
  const direct = new OpenAI({ apiKey: "sk-bench-key-1234", baseURL: model.url, maxRetries: 0 });

  console.log(`model server chunk delay ${CHUNK_DELAY_MS} ms; warming up…`);
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, n) => firstToken(weft, slug, n)));
  const own = await measure("model server directly", direct, "test-model");
  const through = await measure("through /api/v1/openai", weft, slug);
  const overhead = (p: number) => (percentile(through, p) - percentile(own, p)).toFixed(1);
  console.log(`overhead to first token: p50 ${overhead(50)} ms, p99 ${overhead(99)} ms (target: p50 ≤ 50 ms)`);
} catch (error) {
  console.error(error, "\nworker log:\n", workerLog.slice(-4000));
  process.exitCode = 1;
} finally {
  worker.kill("SIGTERM");
  server.close();
  await model.close();
  process.exit();
}
