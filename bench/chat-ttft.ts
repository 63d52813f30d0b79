/**
 * Benchmark: time to first token through the chat endpoint the hosted chat page uses
 * (POST /api/chat/<slug>/turns, Server-Sent Events) versus the test model server directly, with
 * `--concurrency` (default 20) concurrent conversations, each a visitor of a link-access chat app
 * taking turns one after the other (the history grows; memory is off, so the model's prompt does
 * not). Prints p50/p99 of each and the difference (Weft's overhead: chat route, access and limits,
 * messages, run insert, queue, worker, LLM step, Redis pub/sub, run follower, SSE). Asserts nothing.
 *
 *   node --import tsx bench/chat-ttft.ts [--concurrency 20] [--requests 200] [--chunk-delay-ms 20]
 *
 * Self-contained: its own database (BENCH_DATABASE_URL, default weft_bench_chat, reset at start),
 * Redis prefix (weft-bench-chat), one worker process from dist/worker (`npm run build:worker`),
 * and the route handler served by a plain node:http server in this process (no `next build`
 * needed; Next's own routing, about 0.25 ms a request, is therefore not included). The chat rate
 * limits count per second here (WEFT_RATE_WINDOW_MS=1000) so that a run is not throttled by them.
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
const PORT = Number(arg("port", "3302"));

const benchEnv: Record<string, string> = {
  DATABASE_URL: process.env.BENCH_DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/weft_bench_chat",
  REDIS_URL: process.env.REDIS_URL ?? "redis://127.0.0.1:6379",
  WEFT_REDIS_PREFIX: process.env.BENCH_REDIS_PREFIX ?? "weft-bench-chat",
  WEFT_SECRET_KEYS: "b1:YmVuY2gtc2VjcmV0LWtleS0wMTIzNDU2Nzg5YWJjZGU=",
  BETTER_AUTH_SECRET: "bench-secret-0123456789abcdef",
  BETTER_AUTH_URL: `http://127.0.0.1:${PORT}`,
  LOG_LEVEL: "warn",
  // The model server listens on 127.0.0.1, which the network policy blocks by default.
  WEFT_ALLOW_PRIVATE_NETWORK: "true",
  WEFT_RATE_WINDOW_MS: "1000",
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
const { createWorkflow } = await import("@/lib/workflows/service");
const { publishWorkflow } = await import("@/lib/workflows/versions");
const { saveChatApp } = await import("@/lib/chat/apps");
const { readChatEvents } = await import("@/lib/chat/read-sse");
const turns = await import("@/app/api/chat/[slug]/turns/route");

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const TURNS_PATH = /^\/api\/chat\/([a-z0-9-]+)\/turns$/;

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
  const slug = req.method === "POST" ? TURNS_PATH.exec(req.url ?? "")?.[1] : undefined;
  const response = slug ? await turns.POST(request, { params: Promise.resolve({ slug }) }) : new Response("not found", { status: 404 });
  res.writeHead(response.status, Object.fromEntries(response.headers.entries()));
  if (response.body) Readable.fromWeb(response.body as import("node:stream/web").ReadableStream).pipe(res);
  else res.end();
}

/** One conversation of the chat page: a visitor cookie and a conversation id, both set by its first turn. */
interface Conversation {
  cookie?: string;
  id?: string;
}

/** Time to the first streamed text (a model token or an Answer) of one chat turn, in ms; reads the turn to its end. */
async function chatFirstToken(slug: string, conversation: Conversation, n: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${PORT}/api/chat/${slug}/turns`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(conversation.cookie ? { cookie: conversation.cookie } : {}) },
    body: JSON.stringify({ message: `question ${n} with several words to stream back`, conversationId: conversation.id }),
  });
  if (!response.ok || !response.body) throw new Error(`turn ${n}: ${response.status} ${await response.text()}`);
  conversation.cookie ??= response.headers.get("set-cookie")?.split(";")[0];
  let first = NaN;
  let status = "";
  await readChatEvents(response.body, (event) => {
    if (event.type === "turn") conversation.id = event.conversationId;
    else if ((event.type === "token" || event.type === "answer") && event.text && Number.isNaN(first)) first = performance.now() - started;
    else if (event.type === "done") status = event.status;
  });
  if (status !== "succeeded") throw new Error(`turn ${n} ended ${status || "without done"}`);
  return first;
}

/** Time to the first content delta of one streamed completion from the model server, in ms. */
async function directFirstToken(client: InstanceType<typeof OpenAI>, n: number): Promise<number> {
  const started = performance.now();
  const stream = await client.chat.completions.create({ model: "test-model", stream: true, messages: [{ role: "user", content: `question ${n} with several words to stream back` }] });
  let first = NaN;
  for await (const chunk of stream) {
    if (Number.isNaN(first) && chunk.choices[0]?.delta.content) first = performance.now() - started;
  }
  return first;
}

/** `--requests` calls over `--concurrency` lanes (lane i is conversation i); prints and returns the sorted times. */
async function measure(label: string, call: (lane: number, n: number) => Promise<number>): Promise<number[]> {
  const times: number[] = [];
  let next = 0;
  const lane = async (index: number) => {
    while (next < REQUESTS) times.push(await call(index, next++));
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, (_, index) => lane(index)));
  const seconds = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  console.log(
    `${label.padEnd(31)} ${REQUESTS} streams, ${CONCURRENCY} concurrent: TTFT p50 ${percentile(times, 50).toFixed(1)} ms, p99 ${percentile(times, 99).toFixed(1)} ms, ` +
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
  const at = (x: number) => ({ x, y: 0 });
  // Start (conversational) → LLM (streams its tokens to the chat) → Answer → End.
  const graph = {
    version: 1 as const,
    nodes: [
      { id: "start", type: "start", position: at(0), data: { inputs: [], conversation: { enabled: true, variables: [] } } },
      { id: "llm", type: "llm", position: at(200), data: { providerId, model: "test-model", systemPrompt: "Be brief.", userPrompt: "{{ start.message }}" } },
      { id: "reply", type: "answer", position: at(400), data: { text: "{{ llm.text }}" } },
      { id: "end", type: "end", position: at(600), data: { outputs: [{ name: "answer", value: "{{ llm.text }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "llm" },
      { id: "e2", source: "llm", target: "reply" },
      { id: "e3", source: "reply", target: "end" },
    ],
  };
  const { id } = await createWorkflow(member, { name: "Chat bench", graph: graph as never });
  await publishWorkflow(member, id);
  const { slug } = await saveChatApp(member, id, { title: "Bench", access: "link" });
  const direct = new OpenAI({ apiKey: "sk-bench-key-1234", baseURL: model.url, maxRetries: 0 });
  const conversations: Conversation[] = Array.from({ length: CONCURRENCY }, () => ({}));

  console.log(`model server chunk delay ${CHUNK_DELAY_MS} ms; warming up…`);
  // The warm-up turns also open the conversations (visitor cookie and conversation id) the measured turns continue.
  await Promise.all(conversations.map((conversation, n) => chatFirstToken(slug, conversation, n)));
  const own = await measure("model server directly", (_lane, n) => directFirstToken(direct, n));
  const through = await measure("through /api/chat/<slug>/turns", (lane, n) => chatFirstToken(slug, conversations[lane]!, n));
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
