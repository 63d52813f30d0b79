import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { startRun } from "@/lib/runs/service";
import { createWorkflow } from "@/lib/workflows/service";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { eventually, llmChainGraph } from "./helpers/chain";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { deleteRedisKeys } from "./helpers/redis-prefix";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Graceful shutdown: SIGTERM stops taking runs, lets in-flight steps finish within
 * WEFT_WORKER_DRAIN_MS, then exits; a run still unfinished is handed back to the queue and
 * another worker resumes it.
 */
const prefix = vi.hoisted(() => {
  const value = `weft-test-shutdown-${process.pid}`;
  process.env.WEFT_REDIS_PREFIX = value;
  return value;
});
const baseEnv = { WEFT_REDIS_PREFIX: prefix, WEFT_WORKER_LOCK_MS: "3000", WEFT_WORKER_STALLED_MS: "1000" };

let server: OpenAiServer;
let member: Member;
let providerId: string;
const workers: WorkerProcess[] = [];

async function worker(env: Record<string, string> = {}) {
  const started = await startWorkerProcess({ ...baseEnv, ...env });
  workers.push(started);
  return started;
}

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: "sk-test-key-1234" });
  member = await createTestMember();
  providerId = (await createTestProvider(member.workspaceId, server.url)).id;
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop("SIGKILL")));
  await server?.close();
  await deleteRedisKeys(prefix);
  await db().$disconnect();
});

beforeEach(() => server.reset());

describe("SIGTERM", () => {
  it("lets an in-flight run finish within the drain period and takes no new run", async () => {
    const workflow = await createWorkflow(member, { name: "drain", graph: llmChainGraph(providerId, ["a"]) });
    const draining = await worker({ WEFT_WORKER_DRAIN_MS: "8000" });
    server.script({ text: "six words that take a while", chunkDelayMs: 300 });
    const inFlight = await startRun(member, workflow.id, { inputs: { topic: "drain" } });
    await eventually(() => server.openStreams() === 1, 15_000, "a streaming");

    const termAt = Date.now();
    draining.child.kill("SIGTERM");
    await draining.waitForOutput("worker stopping", 5_000);
    const later = await startRun(member, workflow.id, { inputs: { topic: "after sigterm" } });

    expect(await draining.exited).toBe(0);
    const exitMs = Date.now() - termAt;
    expect(exitMs).toBeLessThan(8_000);
    const run = await db().run.findUniqueOrThrow({ where: { id: inFlight.runId }, include: { steps: true } });
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ answer: "six words that take a while" });
    expect(run.steps.find((s) => s.nodeId === "a")!.attempt).toBe(1);
    // The run enqueued after SIGTERM was not taken by the stopping worker.
    expect((await db().run.findUniqueOrThrow({ where: { id: later.runId } })).status).toBe("queued");

    const next = await worker();
    expect((await waitForRun(later.runId)).status).toBe("succeeded");
    await next.stop("SIGTERM");
    console.log(`SIGTERM → in-flight run finished and worker exited in ${exitMs} ms`);
  });

  it("hands a run that outlasts the drain period to another worker, which resumes it", async () => {
    const workflow = await createWorkflow(member, { name: "handover", graph: llmChainGraph(providerId, ["a", "b"]) });
    const draining = await worker({ WEFT_WORKER_DRAIN_MS: "1500" });
    // b streams for ~10 s on the first worker; the resumed execution answers at once.
    server.script({ text: "alpha" }, { text: "a long answer that will not finish before the drain period ends at all", chunkDelayMs: 700 }, { text: "beta done" });
    const { runId } = await startRun(member, workflow.id, { inputs: { topic: "handover" } });
    await eventually(
      () => server.requests.some((r) => JSON.stringify(r.body?.messages ?? []).includes("prompt-b:")) && server.openStreams() === 1,
      15_000,
      "b streaming",
    );

    const termAt = Date.now();
    draining.child.kill("SIGTERM");
    expect(await draining.exited).toBe(0);
    const exitMs = Date.now() - termAt;
    expect(draining.output()).toContain("drain period over: handing unfinished runs to another worker");
    expect(exitMs).toBeLessThan(6_000);
    // The in-flight model call was aborted; the run is still running in PostgreSQL, not failed or cancelled.
    await eventually(() => server.openStreams() === 0, 2_000, "stream closed");
    const handed = await db().run.findUniqueOrThrow({ where: { id: runId } });
    expect(handed.status).toBe("running");
    expect(handed.leaseOwner).toBeNull();

    await worker();
    const run = await waitForRun(runId, 30_000);
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ answer: "beta done" });
    const steps = Object.fromEntries(run.steps.map((s) => [s.nodeId, s]));
    expect(steps.a!.attempt).toBe(1);
    expect(steps.b!.attempt).toBe(2);
    expect(server.chatRequests().filter((r) => JSON.stringify(r.messages).includes("prompt-a:"))).toHaveLength(1);
    console.log(`SIGTERM with a long step → worker exited in ${exitMs} ms; run resumed elsewhere`);
  });
});
