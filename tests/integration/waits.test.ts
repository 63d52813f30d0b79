import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { GET as runWaitsRoute } from "@/app/api/runs/[id]/waits/route";
import { POST as answerRoute } from "@/app/api/runs/[id]/waits/[waitId]/answer/route";
import type { Member } from "@/lib/auth/member";
import { WORKSPACE_COOKIE } from "@/lib/auth/workspaces";
import { WeftApiError } from "@/lib/client/weft-client";
import { db } from "@/lib/db/client";
import { enqueueRun, runsQueue } from "@/lib/queue/runs-queue";
import { cancelRun } from "@/lib/runs/cancel";
import { startRun } from "@/lib/runs/service";
import { answerWait, listPendingWaits } from "@/lib/runs/waits";
import { ServiceError } from "@/lib/services/errors";
import { createWorkflow } from "@/lib/workflows/service";
import { publishWorkflow } from "@/lib/workflows/versions";
import { clientFor, createKey } from "./helpers/api-v1";
import { eventually } from "./helpers/chain";
import { createTestMember } from "./helpers/members";
import { deleteRedisKeys } from "./helpers/redis-prefix";
import { waitForRun } from "./helpers/runs";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";
import { approvalGraph, parallelGraph, pendingWait, questionGraph, waitForStatus } from "./helpers/waits";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Human approval and Question nodes through a real worker process: the run parks as `waiting`
 * (no job, no lease), an answer (service, internal route or public API) re-queues it and the
 * step completes from the answer; timeouts are resolved by the worker's sweeper.
 */
const prefix = vi.hoisted(() => {
  const value = `weft-test-waits-${process.pid}`;
  process.env.WEFT_REDIS_PREFIX = value;
  return value;
});

let worker: WorkerProcess;
let member: Member;

beforeAll(async () => {
  worker = await startWorkerProcess({ WEFT_REDIS_PREFIX: prefix, WEFT_WAIT_SWEEP_MS: "250" });
  member = await createTestMember("editor");
});

afterAll(async () => {
  await worker?.stop("SIGKILL");
  await runsQueue().close();
  await deleteRedisKeys(prefix);
  await db().$disconnect();
});

async function runOf(graph: Parameters<typeof createWorkflow>[1]["graph"], customer = "ACME", who: Member = member) {
  const workflow = await createWorkflow(who, { name: `waits ${Math.random().toString(36).slice(2, 8)}`, graph });
  return { workflowId: workflow.id, ...(await startRun(who, workflow.id, { inputs: { customer } })) };
}

describe("Human approval", () => {
  it("parks the run without a job or lease; approving resumes it down APPROVED with the comment and who decided", async () => {
    const { runId } = await runOf(approvalGraph());
    const parked = await waitForStatus(runId, "waiting");
    expect(parked.leaseOwner).toBeNull();
    // The job ends right after the run is parked (the worker returns from it): then nothing is left in Redis.
    await eventually(async () => (await runsQueue().getJob(runId)) === undefined, 5_000, "the parked run's job to be gone");
    expect(parked.steps.find((s) => s.nodeId === "gate")?.status).toBe("waiting");
    expect(parked.waits).toHaveLength(1);
    expect(parked.waits[0]).toMatchObject({
      kind: "approval",
      status: "pending",
      timeoutAt: null,
      request: { title: "Refund for ACME?", message: "Customer ACME asks for a refund.", assigneeRole: null, onTimeout: null },
    });
    expect((await listPendingWaits(member)).map((w) => w.runId)).toContain(runId);

    const answered = await answerWait({ kind: "member", member }, runId, { nodeId: "gate" }, { decision: "approve", comment: "fine by me" });
    expect(answered).toMatchObject({ runId, status: "answered", requeued: true, response: { answer: { decision: "approve", comment: "fine by me" }, by: { kind: "user", id: member.userId } } });

    const run = await waitForRun(runId);
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ decision: "approved", comment: "fine by me", by: member.name, path: "approved for ACME" });
    const byNode = Object.fromEntries(run.steps.map((s) => [s.nodeId, s]));
    expect(byNode.gate).toMatchObject({ status: "succeeded", branch: "approved" });
    expect(byNode.no!.status).toBe("skipped");
    expect((await listPendingWaits(member)).map((w) => w.runId)).not.toContain(runId);

    // A second answer is refused: the wait is no longer pending.
    const again = await answerWait({ kind: "member", member }, runId, { nodeId: "gate" }, { decision: "reject" }).catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ServiceError);
    expect(again).toMatchObject({ code: "conflict", details: { status: "answered" } });
  });

  it("rejects through the internal route (editor), 403 for a viewer of the workspace, 404 for another workspace, 409 the second time", async () => {
    const owner = await signUpUser("Approver");
    const ownerMember: Member = { ...member, userId: owner.userId, workspaceId: owner.workspaceId, role: "owner", name: "Approver" };
    const { runId } = await runOf(approvalGraph(), "Globex", ownerMember);
    await waitForStatus(runId, "waiting");
    const wait = await pendingWait(runId);
    const path = `/api/runs/${runId}/waits/${wait.id}/answer`;
    const params = { params: Promise.resolve({ id: runId, waitId: wait.id }) };

    const listed = await runWaitsRoute(routeRequest("GET", `/api/runs/${runId}/waits`, owner.cookie), routeParams(runId));
    expect(((await listed.json()) as { waits: { id: string; status: string }[] }).waits).toEqual([expect.objectContaining({ id: wait.id, status: "pending" })]);

    const viewer = await signUpUser("Viewer");
    await db().membership.create({ data: { workspaceId: owner.workspaceId, userId: viewer.userId, role: "viewer" } });
    const asViewer = await answerRoute(routeRequest("POST", path, `${viewer.cookie}; ${WORKSPACE_COOKIE}=${owner.workspaceId}`, { decision: "approve" }), params);
    expect(asViewer.status).toBe(403);

    const stranger = await signUpUser("Stranger");
    const elsewhere = await answerRoute(routeRequest("POST", path, stranger.cookie, { decision: "approve" }), params);
    expect(elsewhere.status).toBe(404);
    const strangerList = await runWaitsRoute(routeRequest("GET", `/api/runs/${runId}/waits`, stranger.cookie), routeParams(runId));
    expect(strangerList.status).toBe(404);

    const invalid = await answerRoute(routeRequest("POST", path, owner.cookie, { decision: "maybe" }), params);
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { code: "invalid_input", issues: [expect.objectContaining({ path: "decision" })] } });

    const ok = await answerRoute(routeRequest("POST", path, owner.cookie, { decision: "reject", comment: "too expensive" }), params);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ waitId: wait.id, runId, status: "answered", answer: { decision: "reject", comment: "too expensive" }, answeredBy: { name: "Approver" } });
    const twice = await answerRoute(routeRequest("POST", path, owner.cookie, { decision: "approve" }), params);
    expect(twice.status).toBe(409);

    const run = await waitForRun(runId);
    expect(run.output).toEqual({ decision: "rejected", comment: "too expensive", by: "Approver", path: "rejected for Globex" });
  });

  it("enforces the assignee role: an editor cannot decide an approval reserved to admins", async () => {
    const admin = await createTestMember("admin");
    const { runId } = await runOf(approvalGraph({ assigneeRole: "admin" }), "Initech", admin);
    await waitForStatus(runId, "waiting");
    const editor: Member = { ...admin, userId: member.userId, role: "editor" };
    await expect(answerWait({ kind: "member", member: editor }, runId, { nodeId: "gate" }, { decision: "approve" })).rejects.toMatchObject({ code: "forbidden" });
    await answerWait({ kind: "member", member: admin }, runId, { nodeId: "gate" }, { decision: "approve" });
    expect((await waitForRun(runId)).status).toBe("succeeded");
  });

  it.each([
    ["reject", "rejected", "rejected for Umbrella"],
    ["timeout", "timeout", "nobody decided"],
  ] as const)("times out (onTimeout %s) and takes the %s branch without anyone answering", async (onTimeout, decision, path) => {
    // 0.02 minutes = 1.2 s; the worker sweeps every 250 ms.
    const { runId } = await runOf(approvalGraph({ timeout: { amount: 0.02, unit: "minutes" }, onTimeout }), "Umbrella");
    const parked = await waitForStatus(runId, "waiting");
    expect(parked.waits[0]!.timeoutAt).not.toBeNull();
    const run = await waitForRun(runId, 15_000);
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ decision, comment: "", by: null, path });
    const wait = await db().runWait.findFirstOrThrow({ where: { runId } });
    expect(wait.status).toBe("timed_out");
    // Too late to answer now.
    await expect(answerWait({ kind: "member", member }, runId, { waitId: wait.id }, { decision: "approve" })).rejects.toMatchObject({ code: "conflict" });
  });

  it("waits in one parallel branch while the other branch finishes; the answer completes the join", async () => {
    const { runId } = await runOf(parallelGraph(), "Hooli");
    const parked = await waitForStatus(runId, "waiting");
    const steps = Object.fromEntries(parked.steps.map((s) => [s.nodeId, s.status]));
    expect(steps).toMatchObject({ start: "succeeded", side: "succeeded", gate: "waiting" });
    expect(steps.end).toBeUndefined();
    await answerWait({ kind: "member", member }, runId, { nodeId: "gate" }, { decision: "approve" });
    const run = await waitForRun(runId);
    expect(run.output).toEqual({ decision: "approved", side: "side work for Hooli" });
    // The side branch ran once: its step was read back on resume, not executed again.
    expect(run.steps.find((s) => s.nodeId === "side")!.attempt).toBe(1);
  });
});

describe("Question", () => {
  it("accepts a typed answer (and refuses one that does not fit with 400 and field issues)", async () => {
    const { runId } = await runOf(questionGraph(), "Stark");
    await waitForStatus(runId, "waiting");
    const wait = await pendingWait(runId);
    expect(wait.request).toMatchObject({ title: "Shipping for Stark", prompt: "How should we ship the order of Stark?", hasTimeout: false });

    const wrong = await answerWait({ kind: "member", member }, runId, { waitId: wait.id }, { carrier: "FedEx", parcels: "two" }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(ServiceError);
    expect((wrong as ServiceError).code).toBe("invalid_input");
    expect(((wrong as ServiceError).details?.issues as { path: string }[]).map((i) => i.path).sort()).toEqual(["carrier", "parcels"]);
    expect((await db().runWait.findUniqueOrThrow({ where: { id: wait.id } })).status).toBe("pending");

    await answerWait({ kind: "member", member }, runId, { waitId: wait.id }, { carrier: "UPS", parcels: 3 });
    const run = await waitForRun(runId);
    expect(run.output).toEqual({ carrier: "UPS", parcels: 3, express: false, by: member.name, timedOut: false });
  });

  it("times out with the defaults", async () => {
    const { runId } = await runOf(questionGraph({ amount: 0.02, unit: "minutes" }), "Wayne");
    const run = await waitForRun(runId, 15_000);
    expect(run.output).toEqual({ carrier: "DHL", parcels: 1, express: false, by: null, timedOut: true });
  });
});

describe("public API", () => {
  it("shows waits on GET /runs/{id}, answers with a waits:answer key (400 invalid, 403 without the scope, 409 twice) and cancels", async () => {
    const developer = await createTestMember("developer");
    const workflow = await createWorkflow(developer, { name: "api approvals", graph: questionGraph() });
    await publishWorkflow(developer, workflow.id);
    const starter = clientFor((await createKey(developer, ["runs:read", "runs:write"])).secret);
    const answerer = clientFor((await createKey(developer, ["runs:read", "waits:answer"])).secret);

    const { runId } = await starter.startRun(workflow.id, { inputs: { customer: "Cyberdyne" } });
    await waitForStatus(runId, "waiting");
    const view = await starter.getRun(runId);
    expect(view.status).toBe("waiting");
    expect(view.steps.find((s) => s.nodeId === "ask")?.status).toBe("waiting");
    const [wait] = await starter.pendingWaits(runId);
    expect(wait).toMatchObject({ nodeId: "ask", kind: "question", status: "pending", request: { prompt: "How should we ship the order of Cyberdyne?" } });

    const noScope = await starter.answerWait(runId, wait!.id, { carrier: "DHL", parcels: 1 }).catch((e: unknown) => e);
    expect(noScope).toBeInstanceOf(WeftApiError);
    expect((noScope as WeftApiError).status).toBe(403);

    const invalid = await answerer.answerWait(runId, wait!.id, { carrier: "DHL" }).catch((e: unknown) => e);
    expect((invalid as WeftApiError).status).toBe(400);
    expect((invalid as WeftApiError).code).toBe("invalid_input");

    const stranger = clientFor((await createKey(await createTestMember("developer"), ["runs:read", "runs:write", "waits:answer"])).secret);
    expect(((await stranger.answerWait(runId, wait!.id, { carrier: "DHL", parcels: 1 }).catch((e: unknown) => e)) as WeftApiError).status).toBe(404);
    expect(((await stranger.cancelRun(runId).catch((e: unknown) => e)) as WeftApiError).status).toBe(404);

    const answered = await answerer.answerWait(runId, wait!.id, { carrier: "DHL", parcels: 2, express: true });
    expect(answered).toMatchObject({ runId, waitId: wait!.id, status: "answered", answeredBy: { kind: "api_key" } });
    const twice = await answerer.answerWait(runId, wait!.id, { carrier: "UPS", parcels: 1 }).catch((e: unknown) => e);
    expect((twice as WeftApiError).status).toBe(409);

    const run = await waitForRun(runId);
    expect(run.output).toMatchObject({ carrier: "DHL", parcels: 2, express: true, timedOut: false });
    expect((run.output as { by: string }).by).toMatch(/^API key /);
    const done = await starter.getRun(runId);
    expect(done.waits).toEqual([expect.objectContaining({ id: wait!.id, status: "answered", answer: { carrier: "DHL", parcels: 2, express: true } })]);
    expect(((await starter.cancelRun(runId).catch((e: unknown) => e)) as WeftApiError).status).toBe(409);

    // Cancel a waiting run through the API: the run, its wait and its waiting step end cancelled.
    const second = await starter.startRun(workflow.id, { inputs: { customer: "Tyrell" } });
    await waitForStatus(second.runId, "waiting");
    expect(await starter.cancelRun(second.runId)).toEqual({ runId: second.runId, status: "cancelled", previousStatus: "waiting" });
    const cancelled = await starter.getRun(second.runId);
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.waits[0]).toMatchObject({ status: "cancelled" });
    expect(cancelled.steps.find((s) => s.nodeId === "ask")).toMatchObject({ status: "failed", error: { code: "cancelled" } });
    const late = await answerer.answerWait(second.runId, cancelled.waits[0]!.id, { carrier: "DHL", parcels: 1 }).catch((e: unknown) => e);
    expect((late as WeftApiError).status).toBe(409);
  });
});

describe("public API and assignee roles", () => {
  it("an API key decides an approval reserved to admins only when the member who created it is an admin", async () => {
    const admin = await createTestMember("admin");
    const developer: Member = { ...admin, userId: (await createTestMember("developer")).userId, role: "developer" };
    await db().membership.create({ data: { workspaceId: admin.workspaceId, userId: developer.userId, role: "developer" } });
    const workflow = await createWorkflow(admin, { name: "admin approvals", graph: approvalGraph({ assigneeRole: "admin" }) });
    await publishWorkflow(admin, workflow.id);
    const developerKey = clientFor((await createKey(developer, ["runs:read", "runs:write", "waits:answer"])).secret);
    const adminKey = clientFor((await createKey(admin, ["runs:read", "waits:answer"])).secret);

    const { runId } = await developerKey.startRun(workflow.id, { inputs: { customer: "Oscorp" } });
    await waitForStatus(runId, "waiting");
    const [wait] = await developerKey.pendingWaits(runId);
    expect(wait!.request).toMatchObject({ assigneeRole: "admin" });
    const refused = (await developerKey.answerWait(runId, wait!.id, { decision: "approve" }).catch((e: unknown) => e)) as WeftApiError;
    expect([refused.status, refused.code]).toEqual([403, "forbidden"]);
    await adminKey.answerWait(runId, wait!.id, { decision: "approve", comment: "ok" });
    expect((await waitForRun(runId)).output).toMatchObject({ decision: "approved", comment: "ok" });
  });
});

describe("cancelling", () => {
  it("cancels a waiting run and its sub-workflow child runs; the Inbox drops the wait", async () => {
    const { runId, workflowId } = await runOf(approvalGraph(), "Soylent");
    await waitForStatus(runId, "waiting");
    // A child run as a sub-workflow step would start it (parentRunId), parked on its own approval.
    const graph = approvalGraph();
    const child = await db().run.create({
      data: { workspaceId: member.workspaceId, workflowId, workflowName: "child", graph: graph as object, inputs: { customer: "child" }, parentRunId: runId, parentNodeId: "gate", depth: 1 },
    });
    await enqueueRun(child.id);
    await waitForStatus(child.id, "waiting");

    expect(await cancelRun(member, runId)).toEqual({ runId, status: "cancelled", previousStatus: "waiting" });
    const [parent, childRun] = await Promise.all([waitForRun(runId), waitForRun(child.id)]);
    expect([parent.status, childRun.status]).toEqual(["cancelled", "cancelled"]);
    const waits = await db().runWait.findMany({ where: { runId: { in: [runId, child.id] } } });
    expect(waits.map((w) => w.status)).toEqual(["cancelled", "cancelled"]);
    expect((await listPendingWaits(member)).map((w) => w.runId)).not.toEqual(expect.arrayContaining([runId]));
    await expect(answerWait({ kind: "member", member }, runId, { nodeId: "gate" }, { decision: "approve" })).rejects.toMatchObject({ code: "conflict" });
    // The worker never picks a cancelled run up again.
    await new Promise((r) => setTimeout(r, 500));
    expect((await db().run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("cancelled");
  });
});

describe("the wait sweeper", () => {
  it("re-queues a parked run whose wait was resolved behind its back, and closes waits of runs that ended", async () => {
    // The narrow race resolveWait cannot close alone: the wait is resolved but the run stays parked.
    const { runId } = await runOf(approvalGraph(), "Vandelay");
    await waitForStatus(runId, "waiting");
    await db().runWait.updateMany({
      where: { runId },
      data: { status: "answered", answeredAt: new Date(), response: { answer: { decision: "approve", comment: "" }, by: { kind: "user", id: member.userId, name: "Racer" } } },
    });
    const run = await waitForRun(runId, 10_000);
    expect(run.output).toMatchObject({ decision: "approved", by: "Racer" });

    // A run that ended some other way (here: marked failed) leaves no answerable wait behind.
    const other = await runOf(approvalGraph(), "Kramerica");
    await waitForStatus(other.runId, "waiting");
    await db().run.update({ where: { id: other.runId }, data: { status: "failed", finishedAt: new Date() } });
    const closed = await (async () => {
      for (let i = 0; i < 100; i++) {
        const wait = await db().runWait.findFirstOrThrow({ where: { runId: other.runId } });
        if (wait.status !== "pending") return wait;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("the sweeper did not close the wait");
    })();
    expect(closed.status).toBe("cancelled");
  });
});
