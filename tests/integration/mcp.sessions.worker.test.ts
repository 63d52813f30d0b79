import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { stepWarnings } from "@/lib/engine/warnings";
import { getRunDetail } from "@/lib/runs/queries";
import { startRun } from "@/lib/runs/service";
import { createMcpPool } from "@/lib/tools/mcp/pool";
import { createMcpSource, getMcpSource, syncMcpSource } from "@/lib/tools/mcp/service";
import { createWorkflow } from "@/lib/workflows/service";
import { startMcpSessionFixture, type McpSessionFixture } from "../fixtures/mcp-server-sessions";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { singleAgentGraph, singleToolGraph } from "./helpers/mcp-graphs";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Issue 14, point 1 through a real worker process: the worker's pooled Streamable HTTP session
 * survives between runs; after the MCP server restarts, the next run's Tool node reconnects once
 * and succeeds. When the server is down, the Tool node fails the run (by default) and the web
 * process sees the worker's error on the source. A tool error an Agent did not recover from, and a
 * Tool node told to go on, leave a warning on the step and the run.
 */

let member: Member;
let fixture: McpSessionFixture;
let openai: OpenAiServer;
let worker: WorkerProcess | undefined;
const webPool = createMcpPool({ idleMs: 60_000 });

beforeAll(async () => {
  member = await createTestMember("developer");
  fixture = await startMcpSessionFixture("stateful");
  openai = await startOpenAiServer();
  worker = await startWorkerProcess();
});

afterAll(async () => {
  await worker?.stop();
  await webPool.shutdown();
  await fixture?.close();
  await openai?.close();
  await db().$disconnect();
});

const toolGraph = (toolId: string, inputs: { name: string; value: string }[], onToolError: "fail" | "continue" = "fail") => singleToolGraph(toolId, inputs, { onToolError });

async function runGraph(name: string, graph: Graph) {
  const workflow = await createWorkflow(member, { name, graph });
  const { runId } = await startRun(member, workflow.id, { inputs: {} });
  return waitForRun(runId, 60_000);
}

const callDetail = (step: { detail: unknown } | undefined) => (step?.detail as { call?: Record<string, unknown> } | null)?.call;

describe("MCP sessions in the worker", () => {
  let addId = "";
  let failId = "";

  it("reconnects once after the server restarted between two runs", async () => {
    const source = await createMcpSource(member, { name: "Worker sessions", toolPrefix: "ws", config: { transport: "http", url: fixture.url, headers: {} } }, { pool: webPool });
    expect((await syncMcpSource(member, source.id, { pool: webPool })).ok).toBe(true);
    await webPool.shutdown();
    addId = (await db().tool.findFirstOrThrow({ where: { workspaceId: member.workspaceId, name: "ws_add" } })).id;
    failId = (await db().tool.findFirstOrThrow({ where: { workspaceId: member.workspaceId, name: "ws_fail" } })).id;
    const graph = toolGraph(addId, [
      { name: "a", value: "19" },
      { name: "b", value: "23" },
    ]);

    const first = await runGraph("mcp session 1", graph);
    expect(first.status, JSON.stringify(first.error)).toBe("succeeded");
    expect(first.output).toEqual({ result: { sum: 42 } });
    expect(callDetail(first.steps.find((s) => s.nodeId === "call"))).not.toHaveProperty("reconnected");
    const sessionsBefore = fixture.log.filter((line) => line === "POST /mcp 200").length;

    await fixture.restart();
    const second = await runGraph("mcp session 2", graph);
    expect(second.status, JSON.stringify(second.error)).toBe("succeeded");
    expect(second.output).toEqual({ result: { sum: 42 } });
    expect(callDetail(second.steps.find((s) => s.nodeId === "call"))).toMatchObject({ reconnected: true, transport: "streamable_http" });
    // The worker's old session was refused once (400), then a new one was opened.
    expect(fixture.log.filter((line) => line === "POST /mcp 400")).toHaveLength(1);
    expect(fixture.log.filter((line) => line === "POST /mcp 200").length).toBeGreaterThan(sessionsBefore);
    expect((await getMcpSource(member, source.id, { pool: webPool })).status).toBe("connected");
  });

  it("fails the Tool node when the server is down, and the web process sees the worker's error", async () => {
    const source = await db().toolSource.findFirstOrThrow({ where: { workspaceId: member.workspaceId, name: "Worker sessions" } });
    await fixture.close();
    const run = await runGraph("mcp down", toolGraph(addId, [{ name: "a", value: "1" }, { name: "b", value: "1" }]));
    expect(run.status).toBe("failed");
    expect(run.error).toMatchObject({ code: "tool_unavailable", nodeId: "call" });
    const view = await getMcpSource(member, source.id, { pool: webPool });
    expect(view.liveHere).toBe(false);
    expect(view.status).toBe("error");
    expect(view.lastError).toMatch(/Could not connect|could not be reached/);
    expect(view.lastErrorAt).not.toBeNull();

    await fixture.restart();
    const healed = await runGraph("mcp up again", toolGraph(addId, [{ name: "a", value: "2" }, { name: "b", value: "2" }]));
    expect(healed.status, JSON.stringify(healed.error)).toBe("succeeded");
    expect((await getMcpSource(member, source.id, { pool: webPool })).status).toBe("connected");
  });

  it("a Tool node set to go on after a tool error succeeds with a warning on the step and the run", async () => {
    const run = await runGraph("mcp continue", toolGraph(failId, [], "continue"));
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(run.output).toEqual({ result: null });
    expect(run.warnings).toBe(1);
    const step = run.steps.find((s) => s.nodeId === "call")!;
    expect(step.output).toMatchObject({ result: null, error: { code: "tool_error" } });
    expect(stepWarnings(step.detail)).toEqual([{ code: "tool_error", message: expect.stringContaining("down for maintenance"), tool: "ws_fail" }]);
  });

  it("an Agent whose tool failed and was never recovered ends with a warning on the step and the run", async () => {
    const provider = await createTestProvider(member.workspaceId, openai.url);
    openai.script({ toolCalls: [{ id: "call_1", name: "ws_fail", arguments: {} }] }, { text: "The order service is down; try later." });
    const graph = singleAgentGraph(provider.id, failId, "Check the order service.");
    const run = await runGraph("agent with failing tool", graph);
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(run.warnings).toBe(1);
    const warnings = stepWarnings(run.steps.find((s) => s.nodeId === "agent")!.detail);
    expect(warnings).toEqual([{ code: "tool_error", message: expect.stringContaining("down for maintenance"), tool: "ws_fail" }]);
    // What the run page reads.
    const detail = await getRunDetail(member, run.id);
    expect(detail?.warnings).toBe(1);
    expect(detail?.steps.find((s) => s.nodeId === "agent")?.warnings).toHaveLength(1);
  });
});
