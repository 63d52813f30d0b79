import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as toolRoute from "@/app/api/tool-sources/mcp/[id]/tools/[toolId]/route";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { ToolProgress } from "@/lib/engine/ports";
import { runEventHub } from "@/lib/runs/event-hub";
import { startRun } from "@/lib/runs/service";
import { answerWait } from "@/lib/runs/waits";
import { callMcpTool } from "@/lib/tools/mcp/call";
import { createMcpPool, shutdownMcpPool } from "@/lib/tools/mcp/pool";
import type { McpToolView } from "@/lib/tools/mcp/schema";
import { createMcpSource, getMcpSource, syncMcpSource } from "@/lib/tools/mcp/service";
import { createWorkflow } from "@/lib/workflows/service";
import { startMcpSessionFixture, type McpSessionFixture } from "../fixtures/mcp-server-sessions";
import { singleToolGraph } from "./helpers/mcp-graphs";
import { createTestMember } from "./helpers/members";
import { waitForRun } from "./helpers/runs";
import { routeRequest, signUpUser } from "./helpers/session";
import { waitForStatus } from "./helpers/waits";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Issue 14, point 2 (the parts done): the client declares `roots` and answers `roots/list` with the
 * source's roots (none by default); progress notifications reach the caller and the trace; tool
 * annotations are stored and shown; a tool set to "require approval" makes a Tool node wait for a
 * Human approval before each call (in a real worker); the Agent's approval is in mcp.server-requests.test.ts.
 */

let member: Member;
let fixture: McpSessionFixture;
let worker: WorkerProcess | undefined;
const pool = createMcpPool({ idleMs: 60_000 });
const signal = () => new AbortController().signal;

beforeAll(async () => {
  member = await createTestMember("developer");
  fixture = await startMcpSessionFixture("stateful");
  worker = await startWorkerProcess();
});

afterAll(async () => {
  await worker?.stop();
  await pool.shutdown();
  await shutdownMcpPool();
  await fixture?.close();
  await db().$disconnect();
});

const toolNamed = (name: string) => db().tool.findFirstOrThrow({ where: { name, workspaceId: member.workspaceId } });

describe("MCP client features", () => {
  it("offers no roots by default, and the source's roots when configured", async () => {
    const plain = await createMcpSource(member, { name: "No roots", toolPrefix: "noroots", config: { transport: "http", url: fixture.url, headers: {} } }, { pool });
    expect((await syncMcpSource(member, plain.id, { pool })).ok).toBe(true);
    const none = await callMcpTool(db(), await toolNamed("noroots_list_roots"), {}, { signal: signal(), pool });
    expect(none.output).toEqual({ roots: [] });

    const rooted = await createMcpSource(
      member,
      { name: "With roots", toolPrefix: "rooted", config: { transport: "http", url: fixture.url, headers: {}, roots: [{ uri: "file:///srv/docs", name: "Docs" }] } },
      { pool },
    );
    expect((await syncMcpSource(member, rooted.id, { pool })).ok).toBe(true);
    const some = await callMcpTool(db(), await toolNamed("rooted_list_roots"), {}, { signal: signal(), pool });
    expect(some.output).toEqual({ roots: [{ uri: "file:///srv/docs", name: "Docs" }] });

    const bad = await createMcpSource(member, { name: "Bad roots", config: { transport: "http", url: fixture.url, headers: {}, roots: [{ uri: "/etc" }] } }, { pool }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: "invalid_request" });
  });

  it("passes progress notifications to the caller and keeps them in the trace", async () => {
    const reports: ToolProgress[] = [];
    const call = await callMcpTool(db(), await toolNamed("noroots_progress_steps"), { steps: 3 }, { signal: signal(), pool, onProgress: (p) => reports.push(p) });
    expect(call.output).toEqual({ steps: 3, progressToken: true });
    expect(reports).toEqual([1, 2, 3].map((progress) => ({ progress, total: 3, message: `step ${progress} of 3` })));
    expect((call.detail as { progress: unknown[] }).progress).toHaveLength(3);
  });

  it("stores the tools' annotations, and the per-tool approval setting survives a refresh", async () => {
    const owner = await signUpUser("Mcp Annotations");
    const user = await db().user.findUniqueOrThrow({ where: { id: owner.userId } });
    const ownerMember: Member = { userId: user.id, email: user.email, name: user.name, workspaceId: owner.workspaceId, workspaceName: "", role: "owner" };
    const source = await createMcpSource(ownerMember, { name: "Annotated", toolPrefix: "ann", config: { transport: "http", url: fixture.url, headers: {} } }, { pool });
    const sync = await syncMcpSource(ownerMember, source.id, { pool });
    expect(sync.ok, sync.message).toBe(true);
    // A task-only tool is not cached: it is listed as skipped with the reason.
    expect(sync.skipped).toEqual([{ toolName: "long_export", reason: expect.stringMatching(/requires task-based execution/) }]);
    const view = await getMcpSource(ownerMember, source.id, { pool });
    const cancel = view.tools.find((t) => t.toolName === "cancel_order")!;
    expect(cancel.annotations).toEqual({ title: "Cancel an order", destructiveHint: true, idempotentHint: true, readOnlyHint: false, openWorldHint: false });
    expect(cancel.requireApproval).toBe(false);
    expect(view.tools.find((t) => t.toolName === "add")!.annotations).toEqual({});

    const patched = await toolRoute.PATCH(routeRequest("PATCH", `/api/tool-sources/mcp/${source.id}/tools/${cancel.id}`, owner.cookie, { requireApproval: true }), {
      params: Promise.resolve({ id: source.id, toolId: cancel.id }),
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as McpToolView).requireApproval).toBe(true);
    const invalid = await toolRoute.PATCH(routeRequest("PATCH", `/api/tool-sources/mcp/${source.id}/tools/${cancel.id}`, owner.cookie, { requireApproval: "yes" }), {
      params: Promise.resolve({ id: source.id, toolId: cancel.id }),
    });
    expect(invalid.status).toBe(400);

    expect((await syncMcpSource(ownerMember, source.id, { pool })).ok).toBe(true);
    expect((await getMcpSource(ownerMember, source.id, { pool })).tools.find((t) => t.toolName === "cancel_order")!.requireApproval).toBe(true);
  });
});

describe("a tool that requires approval, in runs (worker process)", () => {
  const toolGraph = (toolId: string) => singleToolGraph(toolId, [{ name: "orderId", value: "A-100" }]);

  it("a Tool node waits for a Human approval before each call: approved runs it, rejected fails without calling", async () => {
    const source = await createMcpSource(member, { name: "Guarded", toolPrefix: "guarded", config: { transport: "http", url: fixture.url, headers: {} } }, { pool });
    expect((await syncMcpSource(member, source.id, { pool })).ok).toBe(true);
    const cancel = await toolNamed("guarded_cancel_order");
    await db().tool.update({ where: { id: cancel.id }, data: { config: { ...(cancel.config as object), requireApproval: true } } });
    const workflow = await createWorkflow(member, { name: "guarded call", graph: toolGraph(cancel.id) });
    const callsBefore = fixture.calls.filter((c) => c === "cancel_order").length;

    const { runId } = await startRun(member, workflow.id, { inputs: {} });
    await waitForStatus(runId, "waiting");
    const wait = await db().runWait.findFirstOrThrow({ where: { runId, nodeId: "call" } });
    expect(wait.kind).toBe("approval");
    expect(wait.request).toMatchObject({ title: "Allow a call of guarded_cancel_order?" });
    expect(JSON.stringify(wait.request)).toContain("A-100");
    expect(fixture.calls.filter((c) => c === "cancel_order")).toHaveLength(callsBefore);
    await answerWait({ kind: "member", member }, runId, { nodeId: "call" }, { decision: "approve" });
    const approved = await waitForRun(runId, 60_000);
    expect(approved.status, JSON.stringify(approved.error)).toBe("succeeded");
    expect(approved.output).toEqual({ result: { orderId: "A-100", cancelled: true } });
    expect(fixture.calls.filter((c) => c === "cancel_order")).toHaveLength(callsBefore + 1);

    const second = await startRun(member, workflow.id, { inputs: {} });
    await waitForStatus(second.runId, "waiting");
    await answerWait({ kind: "member", member }, second.runId, { nodeId: "call" }, { decision: "reject", comment: "not today" });
    const rejected = await waitForRun(second.runId, 60_000);
    expect(rejected.status).toBe("failed");
    expect(rejected.error).toMatchObject({ code: "tool_error" });
    expect(JSON.stringify(rejected.error)).toContain("rejected the tool call: not today");
    expect(fixture.calls.filter((c) => c === "cancel_order")).toHaveLength(callsBefore + 1);
  });

  it("a Tool node's progress reports stream as the running step's live text and stay in its trace", async () => {
    const progressTool = await toolNamed("guarded_progress_steps");
    const graph = singleToolGraph(progressTool.id, [{ name: "steps", value: "10" }], { nodeId: "work" });
    const workflow = await createWorkflow(member, { name: "progress in a run", graph });
    const { runId } = await startRun(member, workflow.id, { inputs: {} });
    // The tool reports every 20 ms for 200 ms, long after this subscription is confirmed: the later reports arrive live.
    const live: string[] = [];
    const unsubscribe = await runEventHub().subscribe(runId, { onEvent: (event) => void (event.type === "delta" && event.nodeId === "work" && live.push(event.text)) });
    const run = await waitForRun(runId, 60_000);
    unsubscribe();
    expect(run.status, JSON.stringify(run.error)).toBe("succeeded");
    expect(live.join("")).toContain("10/10 step 10 of 10\n");
    const call = (run.steps.find((s) => s.nodeId === "work")!.detail as { call: { progress: { progress: number; total: number; message: string }[] } }).call;
    expect(call.progress.map((p) => `${p.progress}/${p.total} ${p.message}`)).toEqual(Array.from({ length: 10 }, (_, i) => `${i + 1}/10 step ${i + 1} of 10`));
  });
});
