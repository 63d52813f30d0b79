import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { POST as rerunRoute } from "@/app/api/runs/[id]/rerun/route";
import { POST as resumeRoute } from "@/app/api/runs/[id]/resume/route";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { getRunDetail } from "@/lib/runs/queries";
import { rerunFrom, resumeRun } from "@/lib/runs/rerun";
import { startRun } from "@/lib/runs/service";
import { createWorkflow, getWorkflow, saveGraph } from "@/lib/workflows/service";
import { startCountingServer, type CountingServer } from "../fixtures/counting-server";
import { createTestMember } from "./helpers/members";
import { waitForRun } from "./helpers/runs";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Resume and re-run through a real worker process: every HTTP node calls a counting server, so
 * the counts prove which steps executed again and which were reused.
 */
let server: CountingServer;
let worker: WorkerProcess;
let member: Member;

const http = (id: string, path: string, x: number) => ({ id, type: "http", position: { x, y: 0 }, data: { url: `${server.url}${path}` } });

function chain(paths: { a: string; b: string; c: string }): Graph {
  return {
    version: 1,
    nodes: [
      { id: "start", type: "start", position: { x: 0, y: 0 }, data: { inputs: [] } },
      http("a", paths.a, 200),
      http("b", paths.b, 400),
      http("c", paths.c, 600),
      { id: "end", type: "end", position: { x: 800, y: 0 }, data: { outputs: [{ name: "counts", value: "{{ a.body.count }}-{{ b.body.count }}-{{ c.body.count }}" }] } },
    ],
    edges: [
      { id: "e1", source: "start", target: "a" },
      { id: "e2", source: "a", target: "b" },
      { id: "e3", source: "b", target: "c" },
      { id: "e4", source: "c", target: "end" },
    ],
  };
}

beforeAll(async () => {
  server = await startCountingServer();
  worker = await startWorkerProcess();
  member = await createTestMember();
});

afterAll(async () => {
  await worker?.stop();
  await server?.close();
  await db().$disconnect();
});

beforeEach(() => server.reset());

describe("resuming a failed run", () => {
  it("reuses the steps before the failure, executes the failed step and what follows, and links both runs", async () => {
    const workflow = await createWorkflow(member, { name: "resume chain", graph: chain({ a: "/a", b: "/b", c: "/c" }) });
    server.script("/b", { status: 500, body: { error: "down" } });
    const failed = await waitForRun((await startRun(member, workflow.id, { inputs: {} })).runId);
    expect(failed.status).toBe("failed");
    expect([server.count("/a"), server.count("/b"), server.count("/c")]).toEqual([1, 1, 0]);

    // The server is "fixed" (the script is used up); resume.
    const resumed = await resumeRun(member, failed.id);
    expect(resumed.reusedSteps).toBe(2); // start and a
    const run = await waitForRun(resumed.runId);
    expect(run.status).toBe("succeeded");
    expect([server.count("/a"), server.count("/b"), server.count("/c")]).toEqual([1, 2, 1]);
    expect(run.output).toEqual({ counts: "1-2-1" });
    expect(run).toMatchObject({ sourceRunId: failed.id, sourceKind: "resume", sourceNodeId: null });

    const steps = Object.fromEntries(run.steps.map((s) => [s.nodeId, s]));
    const original = Object.fromEntries(failed.steps.map((s) => [s.nodeId, s]));
    expect(steps.a!.reusedFromStepId).toBe(original.a!.id);
    expect(steps.a!.output).toEqual(original.a!.output);
    expect(steps.b!.reusedFromStepId).toBeNull();
    expect(steps.c!.reusedFromStepId).toBeNull();
    expect(run.totalTokens).toBe(0);

    // The run page's read model links both ways and marks the copied steps.
    const detail = await getRunDetail(member, run.id);
    expect(detail?.lineage.source).toEqual({ id: failed.id, kind: "resume", nodeId: null });
    expect(detail?.steps.find((s) => s.nodeId === "a")?.reusedFromStepId).toBe(original.a!.id);
    const sourceDetail = await getRunDetail(member, failed.id);
    expect(sourceDetail?.lineage.derived.map((d) => [d.id, d.kind])).toEqual([[run.id, "resume"]]);
  });

  it("picks up a fixed configuration from the draft: a changed node and everything after it run again", async () => {
    const workflow = await createWorkflow(member, { name: "resume fix", graph: chain({ a: "/a", b: "/broken", c: "/c" }) });
    server.on("/broken", { status: 404, body: { error: "no such thing" } });
    const failed = await waitForRun((await startRun(member, workflow.id, { inputs: {} })).runId);
    expect(failed.status).toBe("failed");

    const current = await getWorkflow(member, workflow.id);
    await saveGraph(member, workflow.id, { graph: chain({ a: "/a", b: "/b", c: "/c" }), revision: current.revision });
    const run = await waitForRun((await resumeRun(member, failed.id)).runId);
    expect(run.status).toBe("succeeded");
    expect([server.count("/a"), server.count("/broken"), server.count("/b"), server.count("/c")]).toEqual([1, 1, 1, 1]);

    // Resuming on the run's own frozen graph keeps the broken URL.
    const again = await waitForRun((await resumeRun(member, failed.id, { useLatestGraph: false })).runId);
    expect(again.status).toBe("failed");
    expect(server.count("/a")).toBe(1);
  });

  it("refuses to resume a run that succeeded", async () => {
    const workflow = await createWorkflow(member, { name: "resume ok", graph: chain({ a: "/a", b: "/b", c: "/c" }) });
    const ok = await waitForRun((await startRun(member, workflow.id, { inputs: {} })).runId);
    await expect(resumeRun(member, ok.id)).rejects.toMatchObject({ code: "conflict" });
  });

  it("another workspace's run is not found", async () => {
    const workflow = await createWorkflow(member, { name: "resume other", graph: chain({ a: "/a", b: "/b", c: "/c" }) });
    const ok = await waitForRun((await startRun(member, workflow.id, { inputs: {} })).runId);
    const stranger = await createTestMember();
    await expect(rerunFrom(stranger, ok.id, "b")).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("re-running from a node", () => {
  it("reuses upstream steps and executes the chosen node and everything downstream", async () => {
    const workflow = await createWorkflow(member, { name: "rerun chain", graph: chain({ a: "/a", b: "/b", c: "/c" }) });
    const first = await waitForRun((await startRun(member, workflow.id, { inputs: {} })).runId);
    expect(first.output).toEqual({ counts: "1-1-1" });

    const derived = await rerunFrom(member, first.id, "b");
    const run = await waitForRun(derived.runId);
    expect(run.status).toBe("succeeded");
    expect([server.count("/a"), server.count("/b"), server.count("/c")]).toEqual([1, 2, 2]);
    expect(run.output).toEqual({ counts: "1-2-2" });
    expect(run).toMatchObject({ sourceRunId: first.id, sourceKind: "rerun", sourceNodeId: "b" });
    const reused = run.steps.filter((s) => s.reusedFromStepId).map((s) => s.nodeId).sort();
    expect(reused).toEqual(["a", "start"]);
  });

  it("refuses an unknown node", async () => {
    const workflow = await createWorkflow(member, { name: "rerun unknown", graph: chain({ a: "/a", b: "/b", c: "/c" }) });
    const first = await waitForRun((await startRun(member, workflow.id, { inputs: {} })).runId);
    await expect(rerunFrom(member, first.id, "nope")).rejects.toMatchObject({ code: "invalid_request" });
  });
});

describe("POST /api/runs/:id/resume and /rerun", () => {
  it("answer 201 with the new run for the owner, 409 for a run that cannot be resumed, 404 for another workspace, 401 signed out, 400 without a node", async () => {
    const owner = await signUpUser("Resumer");
    const ownerMember = { ...member, userId: owner.userId, workspaceId: owner.workspaceId, role: "owner" as const };
    const workflow = await createWorkflow(ownerMember, { name: "route resume", graph: chain({ a: "/a", b: "/b", c: "/c" }) });
    server.script("/c", { status: 500, body: {} });
    const failed = await waitForRun((await startRun(ownerMember, workflow.id, { inputs: {} })).runId);
    expect(failed.status).toBe("failed");

    const stranger = await signUpUser("Outsider");
    expect((await resumeRoute(routeRequest("POST", `/api/runs/${failed.id}/resume`, stranger.cookie), routeParams(failed.id))).status).toBe(404);
    expect((await resumeRoute(routeRequest("POST", `/api/runs/${failed.id}/resume`, null), routeParams(failed.id))).status).toBe(401);

    const resumed = await resumeRoute(routeRequest("POST", `/api/runs/${failed.id}/resume`, owner.cookie, {}), routeParams(failed.id));
    expect(resumed.status).toBe(201);
    const body = (await resumed.json()) as { runId: string; reusedSteps: number };
    expect(body.reusedSteps).toBe(3);
    const run = await waitForRun(body.runId);
    expect(run.status).toBe("succeeded");

    expect((await resumeRoute(routeRequest("POST", `/api/runs/${run.id}/resume`, owner.cookie, {}), routeParams(run.id))).status).toBe(409);
    expect((await rerunRoute(routeRequest("POST", `/api/runs/${run.id}/rerun`, owner.cookie, {}), routeParams(run.id))).status).toBe(400);
    const rerun = await rerunRoute(routeRequest("POST", `/api/runs/${run.id}/rerun`, owner.cookie, { nodeId: "c" }), routeParams(run.id));
    expect(rerun.status).toBe(201);
    expect((await waitForRun(((await rerun.json()) as { runId: string }).runId)).status).toBe("succeeded");
  });
});
