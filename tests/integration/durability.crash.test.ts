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
 * Crash resume: a worker process is SIGKILLed while an LLM step is in flight; another worker
 * resumes the run from PostgreSQL. Steps that succeeded are never executed again; the step in
 * flight is executed again with the same Idempotency-Key.
 */
const prefix = vi.hoisted(() => {
  const value = `weft-test-crash-${process.pid}`;
  process.env.WEFT_REDIS_PREFIX = value;
  return value;
});
const workerEnv = { WEFT_REDIS_PREFIX: prefix, WEFT_WORKER_LOCK_MS: "3000", WEFT_WORKER_STALLED_MS: "1000", WEFT_WORKER_CONCURRENCY: "2" };

let server: OpenAiServer;
let member: Member;
let providerId: string;
const workers: WorkerProcess[] = [];

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

async function worker() {
  const started = await startWorkerProcess(workerEnv);
  workers.push(started);
  return started;
}

const requestsFor = (node: string) =>
  server.requests.filter((r) => r.path === "/v1/chat/completions" && JSON.stringify(r.body?.messages ?? []).includes(`prompt-${node}:`));

describe("a worker killed in the middle of a run", () => {
  it("is resumed by another worker: done steps are reused, the step in flight runs again with the same key", async () => {
    const workflow = await createWorkflow(member, { name: "crash chain", graph: llmChainGraph(providerId, ["a", "b"]) });
    const answerB = "the second answer has quite a few words in it";

    // Reference: the same run without a fault.
    const first = await worker();
    server.script({ text: "alpha answer" }, { text: answerB });
    const reference = await waitForRun((await startRun(member, workflow.id, { inputs: { topic: "ships" } })).runId);
    expect(reference.status).toBe("succeeded");
    server.reset();

    // b streams slowly (9 words × 400 ms), so the worker is surely killed while b is in flight.
    server.script({ text: "alpha answer" }, { text: answerB, chunkDelayMs: 400 }, { text: answerB });
    const { runId } = await startRun(member, workflow.id, { inputs: { topic: "ships" } });
    await eventually(() => requestsFor("b").length === 1 && server.openStreams() === 1, 15_000, "b in flight");
    const stepBefore = await db().runStep.findUniqueOrThrow({ where: { runId_nodeId_iteration: { runId, nodeId: "b", iteration: 0 } } });
    expect(stepBefore.status).toBe("running");
    await first.stop("SIGKILL");
    const killedAt = Date.now();

    await worker();
    const run = await waitForRun(runId, 30_000);
    const recoveredIn = Date.now() - killedAt;

    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual(reference.output);
    expect(run.output).toEqual({ answer: answerB });
    // a succeeded before the crash: one request, one attempt. b was in flight: two of each.
    expect(requestsFor("a")).toHaveLength(1);
    expect(requestsFor("b")).toHaveLength(2);
    const steps = Object.fromEntries(run.steps.map((s) => [s.nodeId, s]));
    expect(steps.a!.attempt).toBe(1);
    expect(steps.b!.attempt).toBe(2);
    expect(steps.b!.status).toBe("succeeded");
    expect(steps.end!.attempt).toBe(1);
    // Both executions of b carried the same idempotency key, derived from (run, node, iteration).
    expect(requestsFor("b").map((r) => r.headers["idempotency-key"])).toEqual([`${runId}:b:0`, `${runId}:b:0`]);
    expect(requestsFor("a")[0]!.headers["idempotency-key"]).toBe(`${runId}:a:0`);
    // Tokens of the first (lost) execution of b are not counted; the run's totals equal the steps'.
    expect(run.totalTokens).toBe(run.steps.reduce((sum, s) => sum + s.totalTokens, 0));
    console.log(`crash → run finished on another worker in ${recoveredIn} ms (lock 3000 ms, stalled check 1000 ms)`);
  });
});
