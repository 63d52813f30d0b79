import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph, GraphNode } from "@/lib/engine/graph";
import type { DocumentDeps } from "@/lib/knowledge/documents";
import { ingestDocument } from "@/lib/knowledge/ingest";
import { retrieve } from "@/lib/knowledge/retrieve";
import { knowledgeToolName } from "@/lib/nodes/agent/knowledge-tools";
import { AgentDetailSchema } from "@/lib/nodes/agent/trace";
import { KnowledgeStepDetailSchema } from "@/lib/nodes/knowledge/trace";
import { startRun } from "@/lib/runs/service";
import { createFilesystemStorage } from "@/lib/storage/filesystem";
import { createWorkflow } from "@/lib/workflows/service";
import { rerankReply, startOpenAiServer, type OpenAiServer, type RerankRequest } from "../fixtures/openai-server";
import { addTestDocument, createTestKnowledgeBase } from "./helpers/knowledge";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * A workflow run with rerank: Start → Knowledge (hybrid search, then the rerank model of the test
 * server's `/v1/rerank`) → LLM → End, run by a real worker process. The reranked order reaches the
 * prompt, and the rerank call's tokens and cost are recorded on the Knowledge step and the run.
 */

const RERANK_PRICE = 2_000; // USD per million tokens, so that a few tokens cost a visible amount
const QUESTION = "which garage gate does my badge open";

let openai: OpenAiServer;
let worker: WorkerProcess;
let member: Member;
let storageDir: string;
let kbId: string;
let kbName: string;
let chatProviderId: string;
let rerankProviderId: string;

beforeAll(async () => {
  storageDir = await mkdtemp(path.join(tmpdir(), "weft-kb-rerank-run-"));
  const deps: DocumentDeps = { db: db(), storage: createFilesystemStorage(storageDir), enqueue: async () => undefined };
  openai = await startOpenAiServer();
  member = await createTestMember("owner");
  ({ id: kbId, name: kbName } = await createTestKnowledgeBase(member.workspaceId, openai.url, { chunkSize: 1000, chunkOverlap: 0 }));
  chatProviderId = (await createTestProvider(member.workspaceId, openai.url)).id;
  rerankProviderId = (await createTestProvider(member.workspaceId, openai.url, { models: ["test-rerank"] })).id;
  await db().modelProvider.update({ where: { id: rerankProviderId }, data: { modelInfo: { "test-rerank": { inputPrice: RERANK_PRICE, currency: "USD" } } } });
  // The badge page repeats one word of the question (search ranks it first by its counts); the
  // parking page holds most of the question's words among many others (the rerank model's share
  // of the question's words ranks it first).
  const pages = [
    ["badge.md", "# Badge\n\nBadge rules: badge on, badge up, badge badge badge. Show the badge at the gate, wear the badge at the gate, keep the badge."],
    [
      "parking.md",
      "# Parking\n\nVisitors leave cars in the north lot beside the river, near the old warehouse where deliveries arrive each morning and trucks queue for the loading dock. Staff badges open the garage gate.",
    ],
    ["lunch.md", "# Lunch\n\nThe cafeteria serves lunch from noon."],
  ];
  for (const [name, text] of pages) {
    const doc = await addTestDocument(deps, kbId, name!, text!);
    await ingestDocument(doc.id, { ...deps, embedder: { allowPrivateNetwork: true } });
  }
  worker = await startWorkerProcess({ WEFT_STORAGE_DIR: storageDir });
});

afterAll(async () => {
  await worker?.stop();
  await openai?.close();
  await rm(storageDir, { recursive: true, force: true });
});

const at = (x: number) => ({ x, y: 0 });

function graphWithRerank(): Graph {
  const nodes: GraphNode[] = [
    { id: "start", type: "start", position: at(0), data: { inputs: [{ name: "question", label: "", type: "string", required: true, description: "" }] } },
    {
      id: "knowledge",
      type: "knowledge",
      position: at(300),
      data: { knowledgeBaseIds: [kbId], query: "{{ start.question }}", mode: "hybrid", topK: 2, filter: [], rerank: { providerId: rerankProviderId, model: "test-rerank" } },
    },
    { id: "llm", type: "llm", position: at(600), data: { providerId: chatProviderId, model: "test-model", temperature: 0, systemPrompt: "Sources:\n{{ knowledge.context }}", userPrompt: "{{ start.question }}" } },
    { id: "end", type: "end", position: at(900), data: { outputs: [{ name: "answer", value: "{{ llm.text }}" }] } },
  ];
  return { version: 1, nodes, edges: [["start", "knowledge"], ["knowledge", "llm"], ["llm", "end"]].map(([source, target], i) => ({ id: `e${i}`, source: source!, target: target! })) };
}

describe("a workflow run with rerank", () => {
  it("uses the reranked order in the prompt and records the rerank call's tokens and cost on the step and the run", async () => {
    // Without rerank, hybrid search ranks the badge page first; the rerank model prefers the parking page.
    const plain = await retrieve({ db: db(), embedder: { allowPrivateNetwork: true } }, member.workspaceId, { knowledgeBaseIds: [kbId], query: QUESTION, topK: 2 });
    expect(plain.chunks[0]!.documentName).toBe("badge.md");

    openai.reset();
    openai.script({ text: "The parking page says your badge opens the garage gate [1]." });
    const workflow = await createWorkflow(member, { name: "Rerank run", graph: graphWithRerank() });
    const { runId } = await startRun(member, workflow.id, { inputs: { question: QUESTION } });
    const run = await waitForRun(runId, 60_000);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");

    // One rerank call with the hybrid candidates; the step's chunks follow its ranking.
    const { call, order: expectedOrder, tokens, cost } = expectedRerank();
    expect(call).toMatchObject({ model: "test-rerank", query: QUESTION, top_n: 2 });
    const step = run.steps.find((s) => s.nodeId === "knowledge")!;
    const output = step.output as { chunks: { text: string; documentName: string }[]; context: string };
    expect(output.chunks.map((c) => c.text)).toEqual(expectedOrder.slice(0, 2));
    expect(output.chunks.map((c) => c.documentName)).toEqual(["parking.md", "badge.md"]);
    const system = openai.chatRequests().at(-1)!.messages!.find((m) => m.role === "system")!.content as string;
    expect(system).toMatch(/^Sources:\n\[1\] parking\.md/);

    // The test server reports one token per document sent; the price makes the cost.
    const detail = KnowledgeStepDetailSchema.parse(step.detail);
    expect(detail.retrieval.rerank).toEqual({ providerId: rerankProviderId, model: "test-rerank", candidates: tokens, tokens, cost });
    expect(step).toMatchObject({ promptTokens: tokens, completionTokens: 0, totalTokens: tokens, cost });
    // The chat model has no price: the run's cost is the rerank call's.
    expect(run.cost).toEqual(cost);
  });
});

/** The rerank call's reply order (the documents it was sent, most relevant first) and its tokens and cost at RERANK_PRICE. */
function expectedRerank() {
  const calls = openai.requests.filter((r) => r.path === "/v1/rerank").map((r) => r.body as unknown as RerankRequest & { documents: string[] });
  expect(calls).toHaveLength(1);
  const [, reply] = rerankReply(calls[0]!);
  const order = (reply as { results: { index: number }[] }).results.map((r) => calls[0]!.documents[r.index]);
  const tokens = calls[0]!.documents.length;
  return { call: calls[0]!, order, tokens, cost: { USD: Math.round(((tokens * RERANK_PRICE) / 1_000_000) * 1e10) / 1e10 } };
}

describe("an Agent's knowledge tool with rerank", () => {
  it("reranks the tool's search as the Knowledge node does and counts the rerank call's tokens and cost in the step", async () => {
    openai.reset();
    const tool = knowledgeToolName(kbName);
    const usage = { prompt_tokens: 10, completion_tokens: 5 };
    openai.script({ toolCalls: [{ id: "call_kb", name: tool, arguments: { query: QUESTION, top_k: 2 } }], usage }, { text: "Your badge opens the garage gate [1].", usage });
    const graph: Graph = {
      version: 1,
      nodes: [
        { id: "start", type: "start", position: at(0), data: { inputs: [{ name: "question", label: "", type: "string", required: true, description: "" }] } },
        {
          id: "agent",
          type: "agent",
          position: at(300),
          data: { providerId: chatProviderId, model: "test-model", temperature: 0, userPrompt: "{{ start.question }}", knowledgeBases: [kbId], knowledgeRerank: { providerId: rerankProviderId, model: "test-rerank" }, maxIterations: 3 },
        },
        { id: "end", type: "end", position: at(600), data: { outputs: [{ name: "answer", value: "{{ agent.text }}" }] } },
      ],
      edges: [["start", "agent"], ["agent", "end"]].map(([source, target], i) => ({ id: `e${i}`, source: source!, target: target! })),
    };
    const workflow = await createWorkflow(member, { name: "Agent rerank run", graph });
    const { runId } = await startRun(member, workflow.id, { inputs: { question: QUESTION } });
    const run = await waitForRun(runId, 60_000);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");

    // The tool's search went through the rerank model (hybrid alone ranks the badge page first) and the model got its order.
    const { call, order, tokens, cost } = expectedRerank();
    expect(call).toMatchObject({ model: "test-rerank", query: QUESTION, top_n: 2 });
    const toolMessage = openai.chatRequests().at(-1)!.messages!.find((m) => m.role === "tool")!;
    const returned = JSON.parse(toolMessage.content as string) as { results: { citation: number; source: string; text: string }[] };
    expect(returned.results.map((r) => r.text)).toEqual(order.slice(0, 2));
    expect(returned.results.map((r) => r.source)).toEqual([expect.stringContaining("parking.md"), expect.stringContaining("badge.md")]);

    // Two chat turns of 10 + 5 tokens, plus the rerank call; the chat model has no price, so the cost is the rerank call's.
    const step = run.steps.find((s) => s.nodeId === "agent")!;
    expect(step).toMatchObject({ promptTokens: 20 + tokens, completionTokens: 10, totalTokens: 30 + tokens, cost });
    expect(AgentDetailSchema.parse(step.detail).turns[0]!.toolCalls[0]!.citations?.[0]).toMatchObject({ documentName: "parking.md" });
    expect(run.cost).toEqual(cost);
  });
});
