import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { exampleWorkflows } from "@/lib/examples/workflows";
import { startRun } from "@/lib/runs/service";
import { ServiceError } from "@/lib/services/errors";
import { createWorkflow } from "@/lib/workflows/service";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * The run path end to end below the browser: service → Run row → BullMQ → a real worker process
 * → engine → ChatOpenAI over HTTP to the OpenAI-wire test server → RunStep rows.
 */
let server: OpenAiServer;
let worker: WorkerProcess;
let member: Member;
let providerId: string;

async function createExample(index: number) {
  const example = exampleWorkflows({ providerId, model: "test-model" })[index];
  return createWorkflow(member, { name: example.name, description: example.description, graph: example.graph });
}

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: "sk-test-key-1234" });
  worker = await startWorkerProcess();
  member = await createTestMember();
  providerId = (await createTestProvider(member.workspaceId, server.url)).id;
});

afterAll(async () => {
  await worker?.stop();
  await server?.close();
  await db().$disconnect();
});

beforeEach(() => server.reset());

describe("example workflows through the queue and a real worker", () => {
  it("runs Start → LLM → End and records the LLM step's messages and usage", async () => {
    const workflow = await createExample(0);
    server.script({ text: "Paris is the capital of France.", usage: { prompt_tokens: 21, completion_tokens: 6 } });

    const { runId } = await startRun(member, workflow.id, { inputs: { question: "What is the capital of France?" } });
    const run = await waitForRun(runId);

    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ answer: "Paris is the capital of France." });
    expect(run.steps.map((s) => [s.nodeId, s.status])).toEqual([
      ["start", "succeeded"],
      ["llm", "succeeded"],
      ["end", "succeeded"],
    ]);
    const llm = run.steps.find((s) => s.nodeId === "llm")!;
    expect(llm.promptTokens).toBe(21);
    expect(llm.completionTokens).toBe(6);
    expect(llm.totalTokens).toBe(27);
    expect(run.totalTokens).toBe(27);
    const detail = llm.detail as { messages: { role: string; content: string }[]; model: string };
    expect(detail.messages).toEqual([
      { role: "system", content: "You are a concise, friendly assistant." },
      { role: "user", content: "What is the capital of France?" },
      { role: "assistant", content: "Paris is the capital of France." },
    ]);
    // The request really went over the wire, streamed, with the decrypted key.
    const request = server.requests.find((r) => r.path.endsWith("/chat/completions"))!;
    expect(request.headers.authorization).toBe("Bearer sk-test-key-1234");
    expect(request.body?.stream).toBe(true);
  });

  it("routes a ticket through the condition and skips the branches not taken", async () => {
    const workflow = await createExample(1);
    const cases = [
      { inputs: { customer: "Ada", message: "The site is down!", priority: 5 }, taken: "escalate", branch: "case_1", queue: "on-call" },
      { inputs: { customer: "Bob", message: "I want a refund please", priority: 2 }, taken: "billing", branch: "case_2", queue: "billing" },
      { inputs: { customer: "Cy", message: "How do I export?", priority: 1 }, taken: "standard", branch: "else", queue: "self-service" },
    ];
    for (const example of cases) {
      const { runId } = await startRun(member, workflow.id, { inputs: example.inputs });
      const run = await waitForRun(runId);
      expect(run.status).toBe("succeeded");
      expect(run.output).toEqual({
        summary: `Ticket from ${example.inputs.customer} (priority ${example.inputs.priority}): ${example.inputs.message}`,
        branch: example.branch,
        queue: example.queue,
        note: expect.any(String),
      });
      // The aggregator read the branch that ran and treated the skipped ones as absent.
      expect(run.steps.find((s) => s.nodeId === "routed")!.output).toMatchObject({ source: `${example.taken}.json`, value: { queue: example.queue } });
      const statuses = Object.fromEntries(run.steps.map((s) => [s.nodeId, s.status]));
      for (const node of ["escalate", "billing", "standard"]) {
        expect(statuses[node]).toBe(node === example.taken ? "succeeded" : "skipped");
      }
      expect(run.steps.find((s) => s.nodeId === "route")!.branch).toBe(example.branch);
      expect(run.steps.find((s) => s.nodeId === example.taken)!.output).toMatchObject({ json: { queue: expect.any(String) } });
    }
  });

  it("freezes the graph with the run: later edits do not change a past run's record", async () => {
    const workflow = await createExample(1);
    const { runId } = await startRun(member, workflow.id, { inputs: { customer: "Ann", message: "hi", priority: 1 } });
    await waitForRun(runId);
    await db().workflow.update({ where: { id: workflow.id }, data: { graph: { version: 1, nodes: [], edges: [] } } });
    const run = await db().run.findUniqueOrThrow({ where: { id: runId } });
    expect((run.graph as { nodes: unknown[] }).nodes).toHaveLength(8);
  });
});

describe("errors a user can cause", () => {
  it("keeps the answer and the tokens spent when a JSON answer is invalid", async () => {
    const example = exampleWorkflows({ providerId, model: "test-model" })[0];
    const llm = example.graph.nodes.find((n) => n.id === "llm")!;
    const graph = {
      ...example.graph,
      nodes: example.graph.nodes.map((n) => (n.id === "llm" ? { ...llm, data: { ...llm.data, outputFormat: "json" } } : n)),
    };
    const workflow = await createWorkflow(member, { name: "json answer", graph });
    server.script({ text: "this is not json", usage: { prompt_tokens: 30, completion_tokens: 4 } });
    const { runId } = await startRun(member, workflow.id, { inputs: { question: "give me json" } });
    const run = await waitForRun(runId);
    expect(run.status).toBe("failed");
    const step = run.steps.find((s) => s.nodeId === "llm")!;
    expect(step.error).toMatchObject({ code: "output_invalid" });
    expect(step.totalTokens).toBe(34);
    expect(run.totalTokens).toBe(34);
    expect(JSON.stringify(step.detail)).toContain("this is not json");
  });

  it("fails the run with the provider's error recorded on the LLM step", async () => {
    const workflow = await createExample(0);
    for (const [status, code] of [
      [401, "provider_auth"],
      [429, "provider_rate_limit"],
      [500, "provider_unavailable"],
    ] as const) {
      server.script({ error: { status, message: `upstream says ${status}` } });
      const { runId } = await startRun(member, workflow.id, { inputs: { question: "hello" } });
      const run = await waitForRun(runId);
      expect(run.status).toBe("failed");
      const llm = run.steps.find((s) => s.nodeId === "llm")!;
      expect(llm.status).toBe("failed");
      const error = llm.error as { code: string; message: string };
      expect(error.code).toBe(code);
      expect(error.message).toContain(`upstream says ${status}`);
      expect(error.message).not.toContain("sk-test-key");
      // The prompt that was refused stays on the failed step.
      expect(llm.input).toEqual([
        { role: "system", content: "You are a concise, friendly assistant." },
        { role: "user", content: "hello" },
      ]);
      expect(run.error).toMatchObject({ code, nodeId: "llm" });
      expect(run.steps.find((s) => s.nodeId === "end")).toBeUndefined();
    }
  });

  it("fails clearly when the LLM node's provider does not exist", async () => {
    const example = exampleWorkflows({ providerId: "00000000-0000-0000-0000-000000000000", model: "test-model" })[0];
    const workflow = await createWorkflow(member, { name: "no provider", graph: example.graph });
    const { runId } = await startRun(member, workflow.id, { inputs: { question: "hello" } });
    const run = await waitForRun(runId);
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ code: "provider_not_found", nodeId: "llm" });
  });

  it("refuses to start an invalid graph or wrong inputs, with the problems listed", async () => {
    const example = exampleWorkflows({ providerId, model: "test-model" })[0];
    const broken = { ...example.graph, edges: example.graph.edges.slice(0, 1) };
    const workflow = await createWorkflow(member, { name: "broken", graph: broken });
    const invalid = await startRun(member, workflow.id, { inputs: { question: "x" } }).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ServiceError);
    expect((invalid as ServiceError).code).toBe("invalid_graph");
    expect(JSON.stringify((invalid as ServiceError).details)).toContain('"nodeId":"end"');

    const good = await createExample(0);
    const wrongType = await startRun(member, good.id, { inputs: { question: 42 } }).catch((e: unknown) => e);
    expect((wrongType as ServiceError).code).toBe("invalid_input");
    const runs = await db().run.count({ where: { workflowId: { in: [workflow.id, good.id] } } });
    expect(runs).toBe(0);
  });

  it("returns not found for another workspace's workflow", async () => {
    const workflow = await createExample(1);
    const stranger = await createTestMember();
    const error = await startRun(stranger, workflow.id, { inputs: {} }).catch((e: unknown) => e);
    expect((error as ServiceError).code).toBe("not_found");
  });
});
