import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { startRun } from "@/lib/runs/service";
import { createSecret } from "@/lib/secrets/service";
import { createMcpPool } from "@/lib/tools/mcp/pool";
import { createMcpSource, syncMcpSource } from "@/lib/tools/mcp/service";
import { createWorkflow } from "@/lib/workflows/service";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { fixtureLogFile, fixtureStdioConfig, isAlive, readFixtureLog, waitUntil } from "./helpers/mcp";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * An Agent run through a real worker process calls an MCP tool: the model (OpenAI-wire test server)
 * asks for `calc_add`, the worker starts the stdio fixture server, calls it, and the model's final
 * answer uses the result. SIGTERM on the worker then stops the MCP server process too.
 */

let openai: OpenAiServer;
let worker: WorkerProcess | undefined;
let member: Member;
const logFile = fixtureLogFile();
// Connect happens in this (web-like) process; its own pool is closed right after, so the worker must start its own server.
const webPool = createMcpPool({ idleMs: 60_000 });

beforeAll(async () => {
  openai = await startOpenAiServer();
  member = await createTestMember("developer");
  await createSecret(member, { name: "CALC_TOKEN", value: "calc-token-value-123", allowedHosts: ["*"] });
  worker = await startWorkerProcess();
});

afterAll(async () => {
  await worker?.stop();
  await webPool.shutdown();
  await openai?.close();
  await db().$disconnect();
});

function agentGraph(providerId: string, toolId: string): Graph {
  return {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [{ name: "question", label: "", type: "string", required: true, description: "" }] } },
      {
        id: "agent",
        type: "agent",
        position: { x: 300, y: 0 },
        data: { providerId, model: "test-model", temperature: 0, systemPrompt: "Use the tools.", userPrompt: "{{ start.question }}", tools: [toolId], maxIterations: 3 },
      },
      { id: "end", type: "end", position: { x: 600, y: 0 }, data: { outputs: [{ name: "answer", value: "{{ agent.text }}" }, { name: "calls", value: "{{ agent.toolCalls }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "agent" },
      { id: "e2", source: "agent", target: "end" },
    ],
  };
}

describe("Agent node with an MCP tool", () => {
  it("calls the MCP server from the worker and answers with the result", async () => {
    const source = await createMcpSource(member, { name: "Calc", toolPrefix: "calc", config: fixtureStdioConfig(logFile, { FIXTURE_TOKEN: { secret: "CALC_TOKEN" } }) }, { pool: webPool });
    const sync = await syncMcpSource(member, source.id, { pool: webPool });
    expect(sync.ok, sync.message).toBe(true);
    await webPool.shutdown();
    const webStarts = readFixtureLog(logFile).starts;
    expect(webStarts).toHaveLength(1);

    const tool = await db().tool.findFirstOrThrow({ where: { workspaceId: member.workspaceId, name: "calc_add" } });
    const provider = await createTestProvider(member.workspaceId, openai.url);
    openai.script({ toolCalls: [{ id: "call_1", name: "calc_add", arguments: { a: 19, b: 23 } }] }, { text: "The sum is 42." });

    const workflow = await createWorkflow(member, { name: "agent with mcp", graph: agentGraph(provider.id, tool.id) });
    const { runId } = await startRun(member, workflow.id, { inputs: { question: "What is 19 + 23?" } });
    const run = await waitForRun(runId, 60_000);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    const output = run.output as { answer: string; calls: { tool: string; status: string; args: unknown; result: unknown }[] };
    expect(output.answer).toBe("The sum is 42.");
    expect(output.calls).toHaveLength(1);
    expect(output.calls[0]).toMatchObject({ tool: "calc_add", status: "ok", args: { a: 19, b: 23 } });
    expect(JSON.stringify(output.calls[0]!.result)).toContain("42");

    // The model's second turn carried the tool result back.
    const second = { body: openai.chatRequests().at(-1) };
    expect(JSON.stringify(second.body)).toMatch(/"role":"tool"/);
    expect(JSON.stringify(second.body)).toContain("42");

    // The worker process started its own server and made the call there.
    const log = readFixtureLog(logFile);
    expect(log.starts).toHaveLength(2);
    const workerServerPid = log.starts[1]!;
    expect(log.calls).toEqual([{ pid: workerServerPid, tool: "add" }]);
    expect(isAlive(workerServerPid)).toBe(true);

    // SIGTERM: the worker drains, closes its MCP servers and exits.
    await worker!.stop("SIGTERM");
    worker = undefined;
    await waitUntil(() => !isAlive(workerServerPid), 10_000, "the worker's MCP server to exit with the worker");
  });
});
