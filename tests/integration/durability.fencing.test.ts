import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { startRun } from "@/lib/runs/service";
import { createStepStore, LeaseLostError } from "@/lib/runs/step-store";
import { createWorkflow } from "@/lib/workflows/service";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { eventually, llmChainGraph } from "./helpers/chain";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { deleteRedisKeys } from "./helpers/redis-prefix";
import { waitForRun } from "./helpers/runs";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Fencing: a worker that lost its lease (paused with SIGSTOP long enough for its job lock to
 * expire and another worker to take the run over) cannot commit its step result or the run's
 * status when it wakes up. The final record is the second worker's.
 */
const prefix = vi.hoisted(() => {
  const value = `weft-test-fencing-${process.pid}`;
  process.env.WEFT_REDIS_PREFIX = value;
  return value;
});
const workerEnv = { WEFT_REDIS_PREFIX: prefix, WEFT_WORKER_LOCK_MS: "3000", WEFT_WORKER_STALLED_MS: "1000" };

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
  for (const w of workers) {
    w.child.kill("SIGCONT");
    await w.stop("SIGKILL");
  }
  await server?.close();
  await deleteRedisKeys(prefix);
  await db().$disconnect();
});

const requestsFor = (node: string) =>
  server.requests.filter((r) => r.path === "/v1/chat/completions" && JSON.stringify(r.body?.messages ?? []).includes(`prompt-${node}:`));

describe("a paused worker whose run was taken over", () => {
  it("has its late step write and run write rejected; the record stays the second worker's", async () => {
    const workflow = await createWorkflow(member, { name: "fencing", graph: llmChainGraph(providerId, ["a"]) });
    // The first execution streams for ~3 s; the second answers at once.
    server.script({ text: "late answer from the paused worker one two three", chunkDelayMs: 300 }, { text: "answer from the second worker" });

    const first = await startWorkerProcess(workerEnv);
    workers.push(first);
    const { runId } = await startRun(member, workflow.id, { inputs: { topic: "fences" } });
    await eventually(() => server.openStreams() === 1, 15_000, "a in flight on the first worker");
    const taken = await db().run.findUniqueOrThrow({ where: { id: runId } });
    expect(taken.leaseToken).toBe(1);
    first.child.kill("SIGSTOP");

    const second = await startWorkerProcess(workerEnv);
    workers.push(second);
    // Takeover waits for BullMQ's stalled check; on a loaded CI machine that can take far longer than the ~6 s it takes alone.
    const run = await waitForRun(runId, 60_000);
    expect(run.status).toBe("succeeded");
    expect(run.output).toEqual({ answer: "answer from the second worker" });
    expect(run.leaseToken).toBe(2);
    const stepA = run.steps.find((s) => s.nodeId === "a")!;
    expect(stepA.attempt).toBe(2);
    const before = await db().runStep.findMany({ where: { runId }, orderBy: { nodeId: "asc" } });

    // Wake the first worker: its stream finishes and it tries to commit step a (and then the run).
    const mark = first.output().length;
    first.child.kill("SIGCONT");
    await first.waitForOutput("late write rejected", 20_000, mark);
    expect(requestsFor("a")).toHaveLength(2);

    const after = await db().run.findUniqueOrThrow({ where: { id: runId } });
    expect(after.status).toBe("succeeded");
    expect(after.output).toEqual({ answer: "answer from the second worker" });
    expect(after.leaseToken).toBe(2);
    expect(after.finishedAt).toEqual(run.finishedAt);
    // Not a single step row changed: the late answer never landed.
    expect(await db().runStep.findMany({ where: { runId }, orderBy: { nodeId: "asc" } })).toEqual(before);
    expect(JSON.stringify(before)).not.toContain("late answer");
  }, 120_000);

  it("rejects every step write from a stale lease token (in process)", async () => {
    const workflow = await createWorkflow(member, { name: "stale token", graph: llmChainGraph(providerId, ["a"]) });
    const { runId } = await startRun(member, workflow.id, { inputs: { topic: "stale" } });
    // Whatever a worker does with it, simulate a takeover: token 5 is current, token 4 is stale.
    await waitForRun(runId, 30_000).catch(() => undefined);
    await db().run.update({ where: { id: runId }, data: { status: "running", leaseToken: 5 } });
    const stale = createStepStore(db(), runId, 4);
    const key = { nodeId: "a", iteration: 0, nodeType: "llm" };
    await expect(stale.beginStep(key)).rejects.toBeInstanceOf(LeaseLostError);
    await expect(stale.completeStep({ ...key, input: null, output: { text: "x" } })).rejects.toBeInstanceOf(LeaseLostError);
    await expect(stale.failStep({ ...key, error: { code: "internal", message: "x" } })).rejects.toBeInstanceOf(LeaseLostError);
    // Skips and steps of pure nodes are written in batches: the batch is rejected, and so is every later write.
    const staleBatch = createStepStore(db(), runId, 4, { deferrable: (type) => type === "template" });
    const pure = { nodeId: "t", iteration: 0, nodeType: "template" };
    await staleBatch.skipStep(key);
    await staleBatch.beginStep(pure);
    await staleBatch.completeStep({ ...pure, input: null, output: { text: "late" } });
    await expect(staleBatch.flush()).rejects.toBeInstanceOf(LeaseLostError);
    await expect(staleBatch.beginStep(pure)).rejects.toBeInstanceOf(LeaseLostError);
    expect(await db().runStep.count({ where: { runId, nodeId: "t" } })).toBe(0);
    const current = createStepStore(db(), runId, 5);
    await expect(current.beginStep(key)).resolves.toMatchObject({ attempt: expect.any(Number) });
    await db().run.update({ where: { id: runId }, data: { status: "succeeded" } });
  });
});
