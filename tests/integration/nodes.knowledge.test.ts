import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph, GraphNode } from "@/lib/engine/graph";
import type { DocumentDeps } from "@/lib/knowledge/documents";
import { ingestDocument } from "@/lib/knowledge/ingest";
import { AgentDetailSchema } from "@/lib/nodes/agent/trace";
import { KnowledgeStepDetailSchema } from "@/lib/nodes/knowledge/trace";
import { startRun } from "@/lib/runs/service";
import { createFilesystemStorage } from "@/lib/storage/filesystem";
import { createWorkflow } from "@/lib/workflows/service";
import { HANDBOOK_MD, PRICES_CSV } from "../fixtures/knowledge-corpus";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { addTestDocument, createTestKnowledgeBase } from "./helpers/knowledge";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * The Knowledge retrieval node and the Agent's knowledge tools end to end: documents ingested into
 * a real pgvector knowledge base (lexical embeddings of the OpenAI-wire test server), workflows run
 * by a real worker process, the chat model scripted turn by turn.
 */

let openai: OpenAiServer;
let worker: WorkerProcess;
let member: Member;
let stranger: Member;
let providerId: string;
let kb: { id: string; name: string };
let strangersKbId: string;
let storageDir: string;
let deps: DocumentDeps;

const at = (x: number) => ({ x, y: 0 });
const startNode: GraphNode = { id: "start", type: "start", position: at(0), data: { inputs: [{ name: "question", label: "", type: "string", required: true, description: "" }] } };
const endNode = (outputs: Record<string, string>): GraphNode => ({ id: "end", type: "end", position: at(900), data: { outputs: Object.entries(outputs).map(([name, value]) => ({ name, value })) } });
const line = (...ids: string[]) => ids.slice(1).map((target, i) => ({ id: `e${i}`, source: ids[i]!, target }));
const knowledgeNode = (knowledgeBaseIds: string[]): GraphNode => ({
  id: "knowledge",
  type: "knowledge",
  position: at(300),
  data: { knowledgeBaseIds, query: "{{ start.question }}", mode: "hybrid", topK: 3, filter: [] },
});

async function ingest(knowledgeBaseId: string, name: string, content: string) {
  const doc = await addTestDocument(deps, knowledgeBaseId, name, content);
  await ingestDocument(doc.id, deps);
  expect((await db().knowledgeDocument.findUniqueOrThrow({ where: { id: doc.id } })).status).toBe("indexed");
}

async function run(graph: Graph, question: string) {
  const workflow = await createWorkflow(member, { name: `kb ${Math.random().toString(36).slice(2, 8)}`, graph });
  const { runId } = await startRun(member, workflow.id, { inputs: { question } });
  return waitForRun(runId, 60_000);
}

beforeAll(async () => {
  storageDir = await mkdtemp(path.join(tmpdir(), "weft-kbnode-"));
  deps = { db: db(), storage: createFilesystemStorage(storageDir), enqueue: async () => undefined };
  openai = await startOpenAiServer();
  [member, stranger] = await Promise.all([createTestMember("owner"), createTestMember("owner")]);
  providerId = (await createTestProvider(member.workspaceId, openai.url)).id;
  const created = await createTestKnowledgeBase(member.workspaceId, openai.url, { chunkSize: 200, chunkOverlap: 0 });
  kb = await db().knowledgeBase.update({ where: { id: created.id }, data: { name: "Employee Handbook" } });
  await ingest(kb.id, "handbook.md", HANDBOOK_MD);
  await ingest(kb.id, "prices.csv", PRICES_CSV);
  strangersKbId = (await createTestKnowledgeBase(stranger.workspaceId, openai.url)).id;
  await ingest(strangersKbId, "secret.md", "# Secret\n\nEmployees get 99 vacation days per year at the competitor.");
  worker = await startWorkerProcess({ WEFT_STORAGE_DIR: storageDir });
});

afterAll(async () => {
  await worker?.stop();
  await openai?.close();
  await rm(storageDir, { recursive: true, force: true });
});

describe("Knowledge retrieval node", () => {
  it("Start → Knowledge → LLM → End: the prompt gets the cited context and the step records the chunks", async () => {
    openai.reset();
    openai.script({ text: "Employees get 25 vacation days per year [1]." });
    const graph: Graph = {
      version: 1,
      nodes: [
        startNode,
        knowledgeNode([kb.id]),
        { id: "llm", type: "llm", position: at(600), data: { providerId, model: "test-model", temperature: 0, systemPrompt: "Answer from these sources and cite them:\n{{ knowledge.context }}", userPrompt: "{{ start.question }}" } },
        endNode({ answer: "{{ llm.text }}", sources: "{{ knowledge.chunks }}" }),
      ],
      edges: line("start", "knowledge", "llm", "end"),
    };
    const result = await run(graph, "How many vacation days do employees get per year?");
    expect(result.status, JSON.stringify(result.error)).toBe("succeeded");

    const system = openai.chatRequests().at(-1)!.messages!.find((m) => m.role === "system")!.content as string;
    expect(system).toContain("[1] handbook.md");
    expect(system).toContain("25 vacation days");

    const step = result.steps.find((s) => s.nodeId === "knowledge")!;
    const output = step.output as { context: string; chunks: { text: string; documentName: string; score: number; citation: number; chunkId: string }[] };
    expect(output.chunks.length).toBeGreaterThan(0);
    expect(output.chunks.length).toBeLessThanOrEqual(3);
    expect(output.chunks[0]).toMatchObject({ documentName: "handbook.md", citation: 1 });
    expect(output.chunks.some((c) => c.text.includes("25 vacation days"))).toBe(true);
    expect(output.context.startsWith("[1] handbook.md")).toBe(true);
    // Never the other workspace's chunk, though it matches the question.
    expect(output.context).not.toContain("99 vacation days");

    const detail = KnowledgeStepDetailSchema.parse(step.detail);
    expect(detail.retrieval.knowledgeBases).toEqual([{ id: kb.id, name: "Employee Handbook" }]);
    expect(detail.retrieval.citations.map((c) => c.chunkId)).toEqual(output.chunks.map((c) => c.chunkId));
    expect(detail.retrieval.citations[0]).toMatchObject({ citation: 1, documentName: "handbook.md", page: null });
    expect(detail.retrieval.citations[0]!.score).toBeGreaterThan(0);
    expect((result.output as { answer: string }).answer).toBe("Employees get 25 vacation days per year [1].");
  });

  it("another workspace's knowledge base id fails the step with knowledge_not_found", async () => {
    const graph: Graph = { version: 1, nodes: [startNode, knowledgeNode([strangersKbId]), endNode({ context: "{{ knowledge.context }}" })], edges: line("start", "knowledge", "end") };
    const result = await run(graph, "How many vacation days do employees get per year?");
    expect(result.status).toBe("failed");
    const step = result.steps.find((s) => s.nodeId === "knowledge")!;
    expect(step.error).toMatchObject({ code: "knowledge_not_found", message: expect.stringContaining(strangersKbId) });
    expect(JSON.stringify(step.output ?? null)).not.toContain("99 vacation days");
  });

  it("a deleted knowledge base fails the step with a clear error", async () => {
    const doomed = await createTestKnowledgeBase(member.workspaceId, openai.url);
    const graph: Graph = { version: 1, nodes: [startNode, knowledgeNode([doomed.id]), endNode({ context: "{{ knowledge.context }}" })], edges: line("start", "knowledge", "end") };
    await db().knowledgeBase.delete({ where: { id: doomed.id } });
    const result = await run(graph, "vacation");
    expect(result.status).toBe("failed");
    expect(result.steps.find((s) => s.nodeId === "knowledge")!.error).toMatchObject({ code: "knowledge_not_found", message: expect.stringContaining("deleted") });
  });
});

describe("Agent with a knowledge base as a tool", () => {
  it("calls search_<slug>, gets cited chunks, and the trace records the citations", async () => {
    openai.reset();
    openai.script({ toolCalls: [{ id: "call_kb", name: "search_employee_handbook", arguments: { query: "vacation days per year", top_k: 2 } }] }, { text: "You get 25 vacation days [1]." });
    const graph: Graph = {
      version: 1,
      nodes: [
        startNode,
        {
          id: "agent",
          type: "agent",
          position: at(300),
          data: { providerId, model: "test-model", temperature: 0, systemPrompt: "Search the handbook.", userPrompt: "{{ start.question }}", tools: [], knowledgeBases: [kb.id], maxIterations: 3 },
        },
        endNode({ answer: "{{ agent.text }}" }),
      ],
      edges: line("start", "agent", "end"),
    };
    const result = await run(graph, "How many vacation days?");
    expect(result.status, JSON.stringify(result.error)).toBe("succeeded");
    expect((result.output as { answer: string }).answer).toBe("You get 25 vacation days [1].");

    // The model was offered the tool with a query argument, and got the chunks back.
    const [first, second] = openai.chatRequests().slice(-2);
    const offered = (first!.tools as { function: { name: string; parameters: { required: string[] } } }[]).map((t) => t.function);
    expect(offered).toEqual([expect.objectContaining({ name: "search_employee_handbook", parameters: expect.objectContaining({ required: ["query"] }) })]);
    const toolMessage = second!.messages!.find((m) => m.role === "tool")!;
    const returned = JSON.parse(toolMessage.content as string) as { results: { citation: number; source: string; text: string }[] };
    expect(returned.results.length).toBeGreaterThan(0);
    expect(returned.results.length).toBeLessThanOrEqual(2);
    expect(returned.results[0]).toMatchObject({ citation: 1, source: expect.stringContaining("handbook.md") });
    expect(returned.results.some((r) => r.text.includes("25 vacation days"))).toBe(true);

    const detail = AgentDetailSchema.parse(result.steps.find((s) => s.nodeId === "agent")!.detail);
    expect(detail.tools).toEqual([{ id: kb.id, name: "search_employee_handbook", kind: "knowledge" }]);
    const call = detail.turns[0]!.toolCalls[0]!;
    expect(call).toMatchObject({ name: "search_employee_handbook", toolId: kb.id, status: "ok", args: { query: "vacation days per year", top_k: 2 } });
    expect(call.citations?.map((c) => c.citation)).toEqual(returned.results.map((r) => r.citation));
    expect(call.citations?.[0]).toMatchObject({ documentName: "handbook.md", knowledgeBaseId: kb.id });
  });

  it("another workspace's knowledge base fails the Agent step with knowledge_not_found", async () => {
    const graph: Graph = {
      version: 1,
      nodes: [
        startNode,
        { id: "agent", type: "agent", position: at(300), data: { providerId, model: "test-model", userPrompt: "{{ start.question }}", knowledgeBases: [strangersKbId] } },
        endNode({ answer: "{{ agent.text }}" }),
      ],
      edges: line("start", "agent", "end"),
    };
    const result = await run(graph, "How many vacation days?");
    expect(result.status).toBe("failed");
    expect(result.steps.find((s) => s.nodeId === "agent")!.error).toMatchObject({ code: "knowledge_not_found" });
  });
});
