import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { POST as cancelRoute } from "@/app/api/runs/[id]/cancel/route";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { RunEvent } from "@/lib/engine/run-ports";
import { cancelRun } from "@/lib/runs/cancel";
import { subscribeToRun } from "@/lib/runs/events";
import { startRun } from "@/lib/runs/service";
import { ServiceError } from "@/lib/services/errors";
import { createWorkflow } from "@/lib/workflows/service";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { eventually, llmChainGraph } from "./helpers/chain";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { deleteRedisKeys } from "./helpers/redis-prefix";
import { waitForRun } from "./helpers/runs";
import { routeParams, routeRequest, signUpUser } from "./helpers/session";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Cancel: the status in PostgreSQL is written first and wins; the worker holding the run aborts
 * its in-flight model call within a second (control channel) and starts no further step.
 */
const prefix = vi.hoisted(() => {
  const value = `weft-test-cancel-${process.pid}`;
  process.env.WEFT_REDIS_PREFIX = value;
  return value;
});

let server: OpenAiServer;
let worker: WorkerProcess;
let member: Member;
let providerId: string;

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: "sk-test-key-1234" });
  // One run at a time, so a second run stays queued behind a slow one.
  worker = await startWorkerProcess({ WEFT_REDIS_PREFIX: prefix, WEFT_WORKER_CONCURRENCY: "1" });
  member = await createTestMember("editor");
  providerId = (await createTestProvider(member.workspaceId, server.url)).id;
});

afterAll(async () => {
  await worker?.stop("SIGKILL");
  await server?.close();
  await deleteRedisKeys(prefix);
  await db().$disconnect();
});

beforeEach(() => server.reset());

const SLOW = { text: "one two three four five six seven eight nine ten eleven twelve", chunkDelayMs: 500 };

async function slowRun(topic: string) {
  const workflow = await createWorkflow(member, { name: `cancel ${topic}`, graph: llmChainGraph(providerId, ["a", "b"]) });
  server.script(SLOW);
  return startRun(member, workflow.id, { inputs: { topic } });
}

describe("cancelling a running run", () => {
  it("aborts the model call within a second, starts no later step and keeps the status cancelled", async () => {
    const { runId } = await slowRun("running");
    await eventually(() => server.openStreams() === 1, 15_000, "a streaming");
    const events: RunEvent[] = [];
    const unsubscribe = await subscribeToRun(runId, (event) => events.push(event));

    const cancelledAt = Date.now();
    const result = await cancelRun(member, runId);
    expect(result).toEqual({ runId, status: "cancelled", previousStatus: "running" });
    await eventually(() => server.openStreams() === 0, 1_000, "the model stream closed within a second");
    const abortMs = Date.now() - cancelledAt;

    // The in-flight step ends failed with code cancelled; b and end never start.
    const step = await eventually(async () => {
      const row = await db().runStep.findUnique({ where: { runId_nodeId_iteration: { runId, nodeId: "a", iteration: 0 } } });
      return row?.status === "failed" ? row : undefined;
    }, 5_000, "step a failed");
    expect(step.error).toMatchObject({ code: "cancelled" });
    await worker.waitForOutput(`"runId":"${runId}","status":"cancelled"`, 5_000);
    await new Promise((r) => setTimeout(r, 500));
    const run = await db().run.findUniqueOrThrow({ where: { id: runId }, include: { steps: true } });
    expect(run.status).toBe("cancelled");
    expect(run.error).toMatchObject({ code: "cancelled" });
    expect(run.finishedAt).not.toBeNull();
    expect(run.steps.map((s) => s.nodeId).sort()).toEqual(["a", "start"]);
    expect(server.chatRequests()).toHaveLength(1);
    // Watchers are told, so the editor and the SSE stream close.
    expect(events).toContainEqual(expect.objectContaining({ type: "run", status: "cancelled" }));
    await unsubscribe();
    console.log(`cancel → model stream closed in ${abortMs} ms`);
  });

  it("cancels a queued run before it starts; the worker then skips it", async () => {
    const first = await slowRun("blocker");
    await eventually(() => server.openStreams() === 1, 15_000, "the blocker streaming");
    const workflow = await createWorkflow(member, { name: "queued", graph: llmChainGraph(providerId, ["a"]) });
    const { runId } = await startRun(member, workflow.id, { inputs: { topic: "queued one" } });
    expect((await db().run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("queued");

    expect(await cancelRun(member, runId)).toMatchObject({ status: "cancelled", previousStatus: "queued" });
    await cancelRun(member, first.runId);
    await worker.waitForOutput(`"runId":"${runId}","status":"skipped"`, 10_000);
    const run = await db().run.findUniqueOrThrow({ where: { id: runId }, include: { steps: true } });
    expect(run.status).toBe("cancelled");
    expect(run.steps).toHaveLength(0);
    expect(server.chatRequests().some((r) => JSON.stringify(r.messages).includes("queued one"))).toBe(false);
  });

  it("stops before the next step when the cancel message is lost (status checked between steps)", async () => {
    const workflow = await createWorkflow(member, { name: "lost message", graph: llmChainGraph(providerId, ["a", "b"]) });
    server.script({ text: "alpha answer in a few words", chunkDelayMs: 300 });
    const { runId } = await startRun(member, workflow.id, { inputs: { topic: "lost" } });
    await eventually(() => server.openStreams() === 1, 15_000, "a streaming");
    // Only the database is told, as if the pub/sub message had been dropped.
    await db().run.update({ where: { id: runId }, data: { status: "cancelled", finishedAt: new Date() } });
    await worker.waitForOutput(`"runId":"${runId}","status":"cancelled"`, 10_000);
    const run = await db().run.findUniqueOrThrow({ where: { id: runId }, include: { steps: true } });
    expect(run.status).toBe("cancelled");
    expect(run.steps.map((s) => s.nodeId).sort()).toEqual(["a", "start"]);
    expect(server.chatRequests().filter((r) => JSON.stringify(r.messages).includes("prompt-b:"))).toHaveLength(0);
  });
});

describe("POST /api/runs/:id/cancel", () => {
  it("cancels for an editor, 409 when already finished, 404 for another workspace, 403 for a viewer", async () => {
    const owner = await signUpUser("Canceller");
    const ownerMember = { ...member, userId: owner.userId, workspaceId: owner.workspaceId, role: "owner" as const };
    const provider = await createTestProvider(owner.workspaceId, server.url);
    const workflow = await createWorkflow(ownerMember, { name: "route cancel", graph: llmChainGraph(provider.id, ["a"]) });
    server.script(SLOW);
    const { runId } = await startRun(ownerMember, workflow.id, { inputs: { topic: "route" } });
    await eventually(() => server.openStreams() === 1, 15_000, "a streaming");

    const stranger = await signUpUser("Stranger");
    const notFound = await cancelRoute(routeRequest("POST", `/api/runs/${runId}/cancel`, stranger.cookie), routeParams(runId));
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toMatchObject({ error: { code: "not_found" } });
    expect((await db().run.findUniqueOrThrow({ where: { id: runId } })).status).toBe("running");

    const unauthenticated = await cancelRoute(routeRequest("POST", `/api/runs/${runId}/cancel`, null), routeParams(runId));
    expect(unauthenticated.status).toBe(401);

    const ok = await cancelRoute(routeRequest("POST", `/api/runs/${runId}/cancel`, owner.cookie), routeParams(runId));
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ runId, status: "cancelled", previousStatus: "running" });
    const run = await waitForRun(runId);
    expect(run.status).toBe("cancelled");

    const again = await cancelRoute(routeRequest("POST", `/api/runs/${runId}/cancel`, owner.cookie), routeParams(runId));
    expect(again.status).toBe(409);
    const body = (await again.json()) as { error: { code: string; message: string; status: string } };
    expect(body.error).toMatchObject({ code: "conflict", status: "cancelled" });
    expect(body.error.message).toMatch(/already been cancelled/);

    // A finished run: 409 that says so.
    server.script({ text: "quick" });
    const done = await startRun(ownerMember, workflow.id, { inputs: { topic: "done" } });
    expect((await waitForRun(done.runId)).status).toBe("succeeded");
    const finished = await cancelRoute(routeRequest("POST", `/api/runs/${done.runId}/cancel`, owner.cookie), routeParams(done.runId));
    expect(finished.status).toBe(409);
    expect(((await finished.json()) as { error: { message: string } }).error.message).toMatch(/already succeeded/);

    const viewer = await createTestMember("viewer");
    const refused = await cancelRun(viewer, done.runId).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ServiceError);
    expect((refused as ServiceError).code).toBe("forbidden");
  });
});
