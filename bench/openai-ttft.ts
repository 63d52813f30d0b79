/**
 * Benchmark: time to first token through the OpenAI-compatible endpoint versus the test model
 * server directly, at `--concurrency` (default 20) concurrent streaming requests, with the official
 * `openai` client on real sockets both ways. Prints p50/p99 of each and the difference (Weft's
 * overhead: route, run insert, queue, worker, LLM step, Redis pub/sub, run follower, SSE). Asserts nothing.
 *
 *   node --import tsx bench/openai-ttft.ts [--concurrency 20] [--requests 200] [--chunk-delay-ms 20]
 *
 * Each part in its own process, as deployed: `next start` on the production build (`npm run build`
 * first), one compiled worker, the test model server (bench/lib/model-server.ts); only the clients
 * run here (the model server is tests/fixtures/openai-server.ts standalone). Its own database (BENCH_DATABASE_URL, default weft_bench_openai, reset at start), Redis
 * prefix (weft-bench-openai) and ports (3302 web, 3311 model).
 */
import { ensureDatabase } from "../scripts/lib/database";
import { clearRedisPrefix, spawnLogged, startStack } from "./lib/app";
import { createClient, waitForServer } from "./lib/http";

const arg = (name: string, fallback: string) => {
  const index = process.argv.indexOf(`--${name}`);
  return index > 0 ? process.argv[index + 1]! : fallback;
};
const CONCURRENCY = Number(arg("concurrency", "20"));
const REQUESTS = Number(arg("requests", "200"));
const CHUNK_DELAY_MS = Number(arg("chunk-delay-ms", "20"));
const PORT = Number(arg("port", "3302"));
const MODEL_PORT = Number(arg("model-port", "3311"));

const benchEnv: Record<string, string> = {
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft_bench_openai",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  WEFT_REDIS_PREFIX: process.env.BENCH_REDIS_PREFIX ?? "weft-bench-openai",
  WEFT_SECRET_KEYS: "b1:YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGU=",
  BETTER_AUTH_SECRET: "bench-secret-0123456789abcdef",
  BETTER_AUTH_URL: `http://127.0.0.1:${PORT}`,
  NODE_ENV: "production",
  LOG_LEVEL: "warn",
  // The model server listens on 127.0.0.1, which the network policy blocks by default.
  WEFT_ALLOW_PRIVATE_NETWORK: "true",
};
Object.assign(process.env, benchEnv);

await ensureDatabase(benchEnv.DATABASE_URL!, { reset: true, quiet: true });
await clearRedisPrefix(benchEnv.REDIS_URL!, benchEnv.WEFT_REDIS_PREFIX!);

// Imported after the environment is set: these read it when first used.
const { default: OpenAI } = await import("openai");
const { createTestMember } = await import("../tests/integration/helpers/members");
const { createTestProvider } = await import("../tests/integration/helpers/providers");
const { exampleWorkflows } = await import("@/lib/examples/workflows");
const { createWorkflow, getWorkflow } = await import("@/lib/workflows/service");
const { publishWorkflow } = await import("@/lib/workflows/versions");
const { createApiKey } = await import("@/lib/api-keys/service");

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

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

const model = await spawnLogged(
  ["--import", "tsx", "tests/fixtures/openai-server.ts", "--port", String(MODEL_PORT), "--api-key", "sk-bench-key-1234", "--chunk-delay", String(CHUNK_DELAY_MS)],
  {},
  "listening",
);
const modelUrl = `http://127.0.0.1:${MODEL_PORT}/v1`;
const stack = await startStack({ attach: "", port: PORT, workers: 1, env: benchEnv });
try {
  await waitForServer(createClient(`http://127.0.0.1:${PORT}`, 1), "/api/v1/openapi.json", 60_000);
  const member = await createTestMember("developer");
  const providerId = (await createTestProvider(member.workspaceId, modelUrl, { apiKey: "sk-bench-key-1234" })).id;
  const [assistant] = exampleWorkflows({ providerId, model: "test-model" });
  const { id } = await createWorkflow(member, { name: assistant!.name, graph: assistant!.graph });
  await publishWorkflow(member, id);
  const slug = (await getWorkflow(member, id)).slug;
  const { secret } = await createApiKey(member, { name: "bench", scopes: ["workflows:read", "runs:write"] });
  const weft = new OpenAI({ apiKey: secret, baseURL: `http://127.0.0.1:${PORT}/api/v1/openai`, maxRetries: 0 });
  const direct = new OpenAI({ apiKey: "sk-bench-key-1234", baseURL: modelUrl, maxRetries: 0 });

  console.log(`model server chunk delay ${CHUNK_DELAY_MS} ms; warming up…`);
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, n) => firstToken(weft, slug, n)));
  const own = await measure("model server directly", direct, "test-model");
  const through = await measure("through /api/v1/openai", weft, slug);
  const overhead = (p: number) => (percentile(through, p) - percentile(own, p)).toFixed(1);
  console.log(`overhead to first token: p50 ${overhead(50)} ms, p99 ${overhead(99)} ms (target: p50 ≤ 50 ms)`);
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  stack.stopAll();
  model.kill("SIGTERM");
  process.exit();
}
