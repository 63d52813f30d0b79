import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import type { NodeSettingsInput } from "@/lib/engine/policy";
import { startRun } from "@/lib/runs/service";
import { createWorkflow } from "@/lib/workflows/service";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Per-node retry and on-error policies through the real path: a worker process, ChatOpenAI over
 * HTTP to the OpenAI-wire test server (real 500/429/401 responses, a real Retry-After header),
 * and the RunStep rows in PostgreSQL.
 */
let server: OpenAiServer;
let worker: WorkerProcess;
let member: Member;
let providerId: string;

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

function graphWith(settings: NodeSettingsInput, extra: { errorPath?: boolean } = {}): Graph {
  const llmData = { providerId, model: "test-model", systemPrompt: "", userPrompt: "{{ start.question }}", outputFormat: "text", jsonSchema: "", settings };
  return {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "question", label: "", type: "string", required: true, description: "" }] } },
      { id: "llm", type: "llm", position: { x: 300, y: 0 }, data: llmData },
      { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "answer", value: "{{ llm.text }}" }] } },
      ...(extra.errorPath
        ? [{ id: "sorry", type: "end", position: { x: 600, y: 200 }, data: { outputs: [{ name: "failed", value: "{{ llm.error.code }}: {{ llm.error.message }}" }] } }]
        : []),
    ],
    edges: [
      { id: "e1", source: "start", target: "llm" },
      { id: "e2", source: "llm", target: "end" },
      ...(extra.errorPath ? [{ id: "e3", source: "llm", sourceHandle: "error", target: "sorry" }] : []),
    ],
  };
}

async function run(graph: Graph) {
  const workflow = await createWorkflow(member, { name: "Policies", description: "", graph });
  const { runId } = await startRun(member, workflow.id, { inputs: { question: "Hello?" } });
  return waitForRun(runId);
}

describe("node policies through a real worker", () => {
  it("retries a 500 with backoff and a 429 after its Retry-After, recording every attempt", async () => {
    server.script(
      { error: { status: 500, message: "The server had an error." } },
      { error: { status: 429, message: "Rate limit reached", retryAfter: 1 } },
      { text: "Third time lucky." },
    );
    const began = Date.now();
    const result = await run(graphWith({ retry: { maxAttempts: 3, backoff: "fixed", initialDelayMs: 100, maxDelayMs: 100 } }));
    expect(result.status).toBe("succeeded");
    expect(result.output).toEqual({ answer: "Third time lucky." });
    // The 429 asked for 1 s, which wins over the 100 ms backoff.
    expect(Date.now() - began).toBeGreaterThanOrEqual(1_000);
    expect(server.chatRequests()).toHaveLength(3);
    const llm = result.steps.find((s) => s.nodeId === "llm")!;
    expect(llm.status).toBe("succeeded");
    expect(llm.attempt).toBe(3);
    expect((llm.detail as { attempts: unknown[] }).attempts).toEqual([
      { attempt: 1, code: "provider_unavailable", message: expect.stringContaining("(500)"), retryInMs: 100 },
      { attempt: 2, code: "provider_rate_limit", message: expect.stringContaining("(429)"), retryInMs: 1_000, retryAfterMs: 1_000 },
    ]);
  });

  it("does not retry a rejected API key, and takes the error branch", async () => {
    server.script({ error: { status: 401, message: "Incorrect API key provided." } });
    const result = await run(graphWith({ onError: "branch", retry: { maxAttempts: 3, backoff: "fixed", initialDelayMs: 100, maxDelayMs: 100 } }, { errorPath: true }));
    expect(result.status).toBe("succeeded");
    expect(result.output).toEqual({ failed: expect.stringMatching(/^provider_auth: The provider rejected the API key \(401\)/) });
    expect(server.chatRequests()).toHaveLength(1);
    const byNode = Object.fromEntries(result.steps.map((s) => [s.nodeId, s]));
    expect(byNode.llm).toMatchObject({ status: "succeeded", branch: "error", attempt: 1 });
    expect(byNode.llm.detail).toMatchObject({ error: { code: "provider_auth" } });
    expect(byNode.end.status).toBe("skipped");
    expect(byNode.sorry.status).toBe("succeeded");
  });

  it("continues with the default output when told to", async () => {
    server.script({ error: { status: 400, message: "Bad request." } });
    const result = await run(graphWith({ onError: "continue", defaultOutput: { text: "No answer today." } }));
    expect(result.status).toBe("succeeded");
    expect(result.output).toEqual({ answer: "No answer today." });
    const llm = result.steps.find((s) => s.nodeId === "llm")!;
    expect(llm.output).toEqual({ text: "No answer today." });
    expect(llm.detail).toMatchObject({ error: { code: "provider_bad_request" } });
    expect(llm.status).toBe("succeeded");
    expect(llm.error).toMatchObject({ code: "provider_bad_request" });
  });
});
