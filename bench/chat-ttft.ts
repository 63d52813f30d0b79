/**
 * Benchmark: time to first token through the chat endpoint the hosted chat page uses
 * (POST /api/chat/<slug>/turns, Server-Sent Events) versus the test model server directly, with
 * `--concurrency` (default 20) concurrent conversations, each a visitor of a link-access chat app
 * taking turns one after the other (the history grows; memory is off, so the model's prompt does
 * not). Prints p50/p99 of each and the difference (Weft's overhead: chat route, access and limits,
 * messages, run insert, queue, worker, LLM step, Redis pub/sub, run follower, SSE). Asserts nothing.
 *
 *   node --import tsx bench/chat-ttft.ts [--concurrency 20] [--requests 200] [--chunk-delay-ms 20] [--think-ms 0]
 *
 * Each part in its own process, as deployed (bench/lib/ttft.ts: `npm start` on the production
 * build, so `npm run build` first; one compiled worker; the test model server): only the clients
 * run here. Its own database (weft_bench_<name>, reset at start) and Redis prefix.
 * The chat rate limits count per second here (WEFT_RATE_WINDOW_MS=1000) so that a run is not throttled by them.
 */
import type { Graph } from "@/lib/engine/graph";
import { completionFirstToken, compareTtft, prepareTtftEnv, startTtftStack, ttftOptions, withTtftStack, BENCH_MODEL_KEY } from "./lib/ttft";

const options = ttftOptions(3302);
// Chat rate limits count per second here, so that the benchmark is not throttled by them.
const benchEnv = await prepareTtftEnv("chat", options.port, { WEFT_RATE_WINDOW_MS: "1000" });

// Imported after the environment is set: these read it when first used.
const { default: OpenAI } = await import("openai");
const { createTestMember } = await import("../tests/integration/helpers/members");
const { createTestProvider } = await import("../tests/integration/helpers/providers");
const { createWorkflow } = await import("@/lib/workflows/service");
const { publishWorkflow } = await import("@/lib/workflows/versions");
const { saveChatApp } = await import("@/lib/chat/apps");
const { readChatEvents } = await import("@/lib/chat/read-sse");

/** One conversation of the chat page: a visitor cookie and a conversation id, both set by its first turn. */
interface Conversation {
  cookie?: string;
  id?: string;
}

/** Time to the first streamed text (a model token or an Answer) of one chat turn, in ms; reads the turn to its end. */
async function chatFirstToken(slug: string, conversation: Conversation, n: number): Promise<number> {
  const started = performance.now();
  const response = await fetch(`http://127.0.0.1:${options.port}/api/chat/${slug}/turns`, {
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

const stack = await startTtftStack(benchEnv, options);
await withTtftStack(stack, async () => {
  const member = await createTestMember("developer");
  const providerId = (await createTestProvider(member.workspaceId, stack.modelUrl, { apiKey: BENCH_MODEL_KEY })).id;
  const at = (x: number) => ({ x, y: 0 });
  // Start (conversational) → LLM (streams its tokens to the chat) → Answer → End.
  const graph: Graph = {
    version: 1,
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
  const { id } = await createWorkflow(member, { name: "Chat bench", graph });
  await publishWorkflow(member, id);
  const { slug } = await saveChatApp(member, id, { title: "Bench", access: "link" });
  const direct = new OpenAI({ apiKey: BENCH_MODEL_KEY, baseURL: stack.modelUrl, maxRetries: 0 });
  const conversations: Conversation[] = Array.from({ length: options.concurrency }, () => ({}));

  console.log(`model server chunk delay ${options.chunkDelayMs} ms; warming up…`);
  // The warm-up turns also open the conversations (visitor cookie and conversation id) the measured turns continue.
  await Promise.all(conversations.map((conversation, n) => chatFirstToken(slug, conversation, n)));
  await compareTtft(
    "through /api/chat/<slug>/turns",
    options,
    stack,
    (n) => completionFirstToken(direct, "test-model", n),
    (lane, n) => chatFirstToken(slug, conversations[lane]!, n),
  );
});
