import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { runsQueue } from "@/lib/queue/runs-queue";
import { startRun } from "@/lib/runs/service";
import { createWorkflow } from "@/lib/workflows/service";
import { startOpenAiServer, type OpenAiServer } from "../fixtures/openai-server";
import { eventually, llmChainGraph } from "./helpers/chain";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";
import { deleteRedisKeys } from "./helpers/redis-prefix";
import { waitForRun } from "./helpers/runs";
import { requeuedRunIds, startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * The worker's Redis connections killed (CLIENT KILL, only those named after this file's worker:
 * the Redis is shared) three times during a batch of 50 runs: every run succeeds, no step is left
 * `running`, and none waits for the reconciler (slowed to once a minute here).
 */
const prefix = vi.hoisted(() => {
  const value = `weft-test-redisfaults-${process.pid}`;
  process.env.WEFT_REDIS_PREFIX = value;
  return value;
});
const connectionName = `weft-test-redisfaults-worker-${process.pid}`;

let server: OpenAiServer;
let worker: WorkerProcess;
let member: Member;
let providerId: string;
let admin: Redis;

beforeAll(async () => {
  server = await startOpenAiServer({ apiKey: "sk-test-key-1234", chunkDelayMs: 15 });
  worker = await startWorkerProcess({
    WEFT_REDIS_PREFIX: prefix,
    WEFT_DB_APPLICATION_NAME: connectionName,
    WEFT_WORKER_CONCURRENCY: "16",
    WEFT_RECONCILE_EVERY_MS: "60000",
  });
  member = await createTestMember();
  providerId = (await createTestProvider(member.workspaceId, server.url)).id;
  admin = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379");
});

afterAll(async () => {
  await worker?.stop("SIGKILL");
  admin?.disconnect();
  await runsQueue().close();
  await server?.close();
  await deleteRedisKeys(prefix);
  await db().$disconnect();
});

/** Ids of the worker's Redis connections (named after it, or by BullMQ after this file's prefix). */
async function workerConnections(): Promise<string[]> {
  const list = (await admin.client("LIST")) as string;
  return list
    .split("\n")
    .filter((line) => line.includes(`name=${connectionName}`) || line.includes(`name=${prefix}`))
    .map((line) => /(?:^|\s)id=(\d+)/.exec(line)?.[1])
    .filter((id): id is string => id !== undefined);
}

/** Kills every Redis connection of the worker, once it has reconnected from the last kill; how many. */
async function killWorkerConnections(): Promise<number> {
  const ids = await eventually(async () => {
    const found = await workerConnections();
    return found.length > 0 ? found : undefined;
  }, 10_000, "the worker's Redis connections back");
  for (const id of ids) await admin.client("KILL", "ID", id);
  return ids.length;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the worker's Redis connections killed during a batch of runs", () => {
  it("every run succeeds and no step is left running", async () => {
    const workflow = await createWorkflow(member, { name: "redis faults", graph: llmChainGraph(providerId, ["a", "b"]) });
    const ids = await Promise.all(Array.from({ length: 50 }, (_, i) => startRun(member, workflow.id, { inputs: { topic: `r${i}` } }).then((r) => r.runId)));
    const killed: number[] = [];
    for (let round = 0; round < 3; round++) {
      await sleep(300);
      killed.push(await killWorkerConnections());
    }
    await Promise.all(ids.map((id) => waitForRun(id, 90_000)));
    const runs = await db().run.findMany({ where: { id: { in: ids } }, include: { steps: true } });
    console.log(`redis faults: ${runs.length} runs, ${runs.filter((r) => r.status === "succeeded").length} succeeded; connections killed per round ${killed.join(", ")}`);
    expect(killed.every((n) => n > 0)).toBe(true);
    expect(runs.map((r) => r.status)).toEqual(ids.map(() => "succeeded"));
    for (const run of runs) expect(run.steps.filter((s) => s.status !== "succeeded")).toEqual([]);
    // None of these runs waited for the reconciler (another file's leftovers in the shared database may).
    expect(requeuedRunIds(worker.output()).filter((id) => ids.includes(id))).toEqual([]);
  }, 180_000);
});
