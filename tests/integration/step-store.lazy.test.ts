import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import type { RunEvent } from "@/lib/engine/run-ports";
import { startRun } from "@/lib/runs/service";
import { createStepStore, LAZY_RUNNING_MS, LeaseLostError } from "@/lib/runs/step-store";
import { createWorkflow } from "@/lib/workflows/service";
import { llmChainGraph } from "./helpers/chain";
import { createTestMember } from "./helpers/members";
import { createTestProvider } from "./helpers/providers";

/**
 * Lazy steps (nodes without side effects that may take a while: the Code node): a quick one is
 * recorded in a batch like a pure step, with no `running` row or event; a slow one gets its
 * `running` row (with its true start) and live event after LAZY_RUNNING_MS, then ends like any step.
 */
let member: Member;
let workflowId: string;

beforeAll(async () => {
  member = await createTestMember();
  const providerId = (await createTestProvider(member.workspaceId, "http://127.0.0.1:9")).id;
  workflowId = (await createWorkflow(member, { name: "lazy steps", graph: llmChainGraph(providerId, ["a"]) })).id;
});

afterAll(async () => {
  await db().$disconnect();
});

/** A run held by "this worker" with lease token 1 (no worker runs in this file: it stays ours). */
async function heldRun(): Promise<string> {
  const { runId } = await startRun(member, workflowId, { inputs: { topic: "lazy" } });
  await db().run.update({ where: { id: runId }, data: { status: "running", leaseToken: 1 } });
  return runId;
}

const code = { nodeId: "code_1", iteration: 0, nodeType: "code" };
const lazy = (type: string) => type === "code";
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("lazy steps", () => {
  it("a quick step is written once, in the batch, and shows no running state", async () => {
    const runId = await heldRun();
    const published: RunEvent[] = [];
    const store = createStepStore(db(), runId, 1, { lazy, publish: (event) => published.push(event) });
    await store.beginStep(code);
    store.events.publish({ type: "step", nodeId: code.nodeId, iteration: 0, status: "running", at: new Date().toISOString() });
    await store.completeStep({ ...code, input: { n: 1 }, output: { sum: 3 } });
    expect(await db().runStep.count({ where: { runId } })).toBe(0);
    await store.flush();
    const rows = await db().runStep.findMany({ where: { runId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ nodeId: "code_1", status: "succeeded", attempt: 1, output: { sum: 3 } });
    expect(rows[0]!.finishedAt).not.toBeNull();
    expect(published.filter((e) => e.type === "step" && e.status === "running")).toHaveLength(0);
  });

  it("a slow step gets its running row with its true start and its live event, then ends in place", async () => {
    const runId = await heldRun();
    const published: RunEvent[] = [];
    const store = createStepStore(db(), runId, 1, { lazy, publish: (event) => published.push(event) });
    const began = Date.now();
    await store.beginStep(code);
    store.events.publish({ type: "step", nodeId: code.nodeId, iteration: 0, status: "running", at: new Date().toISOString() });
    await sleep(LAZY_RUNNING_MS + 150);
    const running = await db().runStep.findMany({ where: { runId } });
    expect(running).toHaveLength(1);
    expect(running[0]).toMatchObject({ status: "running", attempt: 1, finishedAt: null });
    // Its start is when it began, not when the row was written.
    expect(Math.abs(running[0]!.startedAt.getTime() - began)).toBeLessThan(LAZY_RUNNING_MS);
    expect(published.some((e) => e.type === "step" && e.status === "running")).toBe(true);
    await store.completeStep({ ...code, input: { n: 1 }, output: { sum: 3 } });
    await store.flush();
    const rows = await db().runStep.findMany({ where: { runId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "succeeded", attempt: 1, output: { sum: 3 } });
    expect(rows[0]!.finishedAt).not.toBeNull();
  });

  it("a slow step of a worker that lost the run is refused when it ends", async () => {
    const runId = await heldRun();
    await db().run.update({ where: { id: runId }, data: { leaseToken: 2 } });
    const stale = createStepStore(db(), runId, 1, { lazy });
    await stale.beginStep(code);
    await sleep(LAZY_RUNNING_MS + 150);
    await expect(stale.completeStep({ ...code, input: null, output: { sum: 1 } })).rejects.toBeInstanceOf(LeaseLostError);
    expect(await db().runStep.count({ where: { runId } })).toBe(0);
  });
});
