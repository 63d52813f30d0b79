/**
 * Benchmark: time to first token through the OpenAI-compatible endpoint versus the test model
 * server directly, at `--concurrency` (default 20) concurrent streaming requests, with the official
 * `openai` client on real sockets both ways. Prints p50/p99 of each and the difference (Weft's
 * overhead: route, run insert, queue, worker, LLM step, Redis pub/sub, run follower, SSE). Asserts nothing.
 *
 *   node --import tsx bench/openai-ttft.ts [--concurrency 20] [--requests 200] [--chunk-delay-ms 20] [--think-ms 0] [--answer]
 *
 * By default the workflow is the "assistant" example (its End's answer is the LLM's text).
 * `--answer` calls a chat app instead: Start → LLM → Answer "Sure: {{ llm.text }}" → End without
 * output, whose tokens reach the client through the Answer (lib/channels/chat-io.ts answerFeeds).
 *
 * Each part in its own process, as deployed (bench/lib/ttft.ts: `npm start` on the production
 * build, so `npm run build` first; one compiled worker; the test model server): only the clients
 * run here. Its own database (weft_bench_<name>, reset at start) and Redis prefix.
 */
import type { Graph } from "@/lib/engine/graph";
import { completionFirstToken as firstToken, compareTtft, prepareTtftEnv, startTtftStack, ttftOptions, withTtftStack, BENCH_MODEL_KEY } from "./lib/ttft";

const options = ttftOptions(3301);
const benchEnv = await prepareTtftEnv("openai", options.port);

// Imported after the environment is set: these read it when first used.
const { default: OpenAI } = await import("openai");
const { createTestMember } = await import("../tests/integration/helpers/members");
const { createTestProvider } = await import("../tests/integration/helpers/providers");
const { exampleWorkflows } = await import("@/lib/examples/workflows");
const { createWorkflow, getWorkflow } = await import("@/lib/workflows/service");
const { publishWorkflow } = await import("@/lib/workflows/versions");
const { createApiKey } = await import("@/lib/api-keys/service");

const stack = await startTtftStack(benchEnv, options);
await withTtftStack(stack, async () => {
  const member = await createTestMember("developer");
  const providerId = (await createTestProvider(member.workspaceId, stack.modelUrl, { apiKey: BENCH_MODEL_KEY })).id;
  const [assistant] = exampleWorkflows({ providerId, model: "test-model" });
  const workflow = process.argv.includes("--answer") ? { name: "Chat app", graph: answerFedGraph(providerId) } : assistant!;
  const { id } = await createWorkflow(member, { name: workflow.name, graph: workflow.graph });
  await publishWorkflow(member, id);
  const slug = (await getWorkflow(member, id)).slug;
  const { secret } = await createApiKey(member, { name: "bench", scopes: ["workflows:read", "runs:write"] });
  const weft = new OpenAI({ apiKey: secret, baseURL: `http://127.0.0.1:${options.port}/api/v1/openai`, maxRetries: 0 });
  const direct = new OpenAI({ apiKey: BENCH_MODEL_KEY, baseURL: stack.modelUrl, maxRetries: 0 });

  console.log(`workflow ${workflow.name}; model server chunk delay ${options.chunkDelayMs} ms; warming up…`);
  await Promise.all(Array.from({ length: options.concurrency }, (_, n) => firstToken(weft, slug, n)));
  await compareTtft(
    "through /api/v1/openai",
    options,
    stack,
    (n) => firstToken(direct, "test-model", n),
    (_lane, n) => firstToken(weft, slug, n),
  );
});

/** A chat app that speaks through an Answer fed by its LLM, its End giving no output. */
function answerFedGraph(providerId: string): Graph {
  const at = (x: number) => ({ x, y: 0 });
  const nodes = [
    { id: "start", type: "start", position: at(0), data: { inputs: [{ name: "message", label: "Message", type: "string", required: true, description: "" }] } },
    { id: "llm", type: "llm", position: at(200), data: { providerId, model: "test-model", systemPrompt: "", userPrompt: "{{ start.message }}" } },
    { id: "reply", type: "answer", position: at(400), data: { text: "Sure: {{ llm.text }}" } },
    { id: "end", type: "end", position: at(600), data: { outputs: [] } },
  ];
  return { version: 1, nodes, edges: nodes.slice(1).map((node, i) => ({ id: `e${i}`, source: nodes[i]!.id, target: node.id })) };
}
