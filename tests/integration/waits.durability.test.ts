import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { runsQueue } from "@/lib/queue/runs-queue";
import { startRun } from "@/lib/runs/service";
import { answerWait } from "@/lib/runs/waits";
import { createWorkflow } from "@/lib/workflows/service";
import { createTestMember } from "./helpers/members";
import { deleteRedisKeys } from "./helpers/redis-prefix";
import { waitForRun } from "./helpers/runs";
import { approvalGraph, parallelGraph, waitForStatus } from "./helpers/waits";
import { startWorkerProcess, type WorkerProcess } from "./helpers/worker-process";

/**
 * Waits survive the worker: a parked run is only rows in PostgreSQL, so killing every worker
 * while runs wait loses nothing; the answer re-queues the run and whichever worker comes up next
 * finishes it, reusing every step that had succeeded.
 */
const prefix = vi.hoisted(() => {
  const value = `weft-test-waits-restart-${process.pid}`;
  process.env.WEFT_REDIS_PREFIX = value;
  return value;
});

const workers: WorkerProcess[] = [];
let member: Member;
// A worker killed right after parking a run may not have completed its BullMQ job yet: the stale
// job (same id as the run) then swallows the re-enqueue until the stalled check moves it back,
// after the lock expires. Short lock settings keep that recovery within the test's patience.
const env = {
  WEFT_REDIS_PREFIX: prefix,
  WEFT_WAIT_SWEEP_MS: "250",
  WEFT_RECONCILE_EVERY_MS: "500",
  WEFT_RECONCILE_MIN_AGE_MS: "200",
  WEFT_WORKER_LOCK_MS: "2000",
  WEFT_WORKER_STALLED_MS: "500",
};

beforeAll(async () => {
  member = await createTestMember("editor");
});

afterAll(async () => {
  for (const worker of workers) await worker.stop("SIGKILL");
  await runsQueue().close();
  await deleteRedisKeys(prefix);
  await db().$disconnect();
});

async function startWorker() {
  const worker = await startWorkerProcess(env);
  workers.push(worker);
  return worker;
}

describe("waiting runs across worker restarts", () => {
  it("SIGKILL the worker while runs wait, answer with no worker running, start a new worker: the runs finish", async () => {
    const first = await startWorker();
    const approval = await createWorkflow(member, { name: "restart approval", graph: approvalGraph() });
    const parallel = await createWorkflow(member, { name: "restart parallel", graph: parallelGraph() });
    const a = await startRun(member, approval.id, { inputs: { customer: "Aperture" } });
    const b = await startRun(member, parallel.id, { inputs: { customer: "Black Mesa" } });
    await waitForStatus(a.runId, "waiting");
    await waitForStatus(b.runId, "waiting");

    expect(await first.stop("SIGKILL")).not.toBe(0);
    // Nobody runs anything now; the answers only write PostgreSQL and the queue.
    await answerWait({ kind: "member", member }, a.runId, { nodeId: "gate" }, { decision: "approve", comment: "after the crash" });
    await answerWait({ kind: "member", member }, b.runId, { nodeId: "gate" }, { decision: "reject" });
    expect((await db().run.findUniqueOrThrow({ where: { id: a.runId } })).status).toBe("queued");

    await startWorker();
    const [runA, runB] = await Promise.all([waitForRun(a.runId), waitForRun(b.runId)]);
    expect(runA.output).toEqual({ decision: "approved", comment: "after the crash", by: member.name, path: "approved for Aperture" });
    expect(runB.output).toEqual({ decision: "rejected", side: "side work for Black Mesa" });
    // Steps done before the crash were read back, not executed again.
    for (const run of [runA, runB]) {
      for (const step of run.steps.filter((s) => s.status === "succeeded" && s.nodeId !== "gate")) expect(step.attempt, step.nodeId).toBe(1);
    }
  });

  it("a timeout that expires while no worker runs is resolved by the next worker at start", async () => {
    await Promise.all(workers.map((w) => w.stop("SIGKILL")));
    const worker = await startWorker();
    const workflow = await createWorkflow(member, { name: "restart timeout", graph: approvalGraph({ timeout: { amount: 0.03, unit: "minutes" }, onTimeout: "approve" }) });
    const { runId } = await startRun(member, workflow.id, { inputs: { customer: "Massive Dynamic" } });
    await waitForStatus(runId, "waiting");
    await worker.stop("SIGKILL");
    // 1.8 s timeout: let it pass with no worker alive.
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await db().runWait.findFirstOrThrow({ where: { runId } })).status).toBe("pending");
    await startWorker();
    const run = await waitForRun(runId);
    expect(run.output).toMatchObject({ decision: "approved", by: null, path: "approved for Massive Dynamic" });
  });
});
