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
 * needed; Next's own routing, about 0.25 ms a request, is therefore not included). bench/lib/ttft.ts
 * holds what it shares with bench/chat-ttft.ts.
 */
import { completionFirstToken as firstToken, measureTtft, prepareTtftEnv, printOverhead, serveRoutes, startBenchWorker, ttftOptions } from "./lib/ttft";

const options = ttftOptions(3301);
const benchEnv = await prepareTtftEnv("openai", options.port);

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

const model = await startOpenAiServer({ apiKey: "sk-bench-key-1234", chunkDelayMs: options.chunkDelayMs });
const worker = startBenchWorker(benchEnv);
const server = await serveRoutes(options.port, (request, url) => (url === "/api/v1/openai/chat/completions" && request.method === "POST" ? completions.POST(request) : null));
try {
  const member = await createTestMember("developer");
  const providerId = (await createTestProvider(member.workspaceId, model.url, { apiKey: "sk-bench-key-1234" })).id;
  const [assistant] = exampleWorkflows({ providerId, model: "test-model" });
  const { id } = await createWorkflow(member, { name: assistant!.name, graph: assistant!.graph });
  await publishWorkflow(member, id);
  const slug = (await getWorkflow(member, id)).slug;
  const { secret } = await createApiKey(member, { name: "bench", scopes: ["workflows:read", "runs:write"] });
  const weft = new OpenAI({ apiKey: secret, baseURL: `http://127.0.0.1:${options.port}/api/v1/openai`, maxRetries: 0 });
  const direct = new OpenAI({ apiKey: "sk-bench-key-1234", baseURL: model.url, maxRetries: 0 });

  console.log(`model server chunk delay ${options.chunkDelayMs} ms; warming up…`);
  await Promise.all(Array.from({ length: options.concurrency }, (_, n) => firstToken(weft, slug, n)));
  const own = await measureTtft("model server directly", options, (_lane, n) => firstToken(direct, "test-model", n));
  const through = await measureTtft("through /api/v1/openai", options, (_lane, n) => firstToken(weft, slug, n));
  printOverhead(own, through);
} catch (error) {
  console.error(error, "\nworker log:\n", worker.log().slice(-4000));
  process.exitCode = 1;
} finally {
  worker.stop();
  server.close();
  await model.close();
  process.exit();
}
