import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db, poolOf } from "@/lib/db/client";
import { getRunView } from "@/lib/api/runs";
import { loadStepRows } from "@/lib/runs/step-sql";
import { getRunDetail, listRuns, type RunStatus } from "@/lib/runs/queries";
import { createTestMember } from "./helpers/members";

const graph = {
  version: 1,
  nodes: [
    { id: "start", type: "start", position: { x: 0, y: 0 }, data: {} },
    { id: "llm_1", type: "llm", position: { x: 200, y: 0 }, data: { label: "Summarise" } },
  ],
  edges: [],
};

let member: Member;
let other: Member;
let workflowA: string;
let workflowB: string;
/** Run ids in creation order (oldest first). */
const created: { id: string; status: RunStatus; workflowId: string }[] = [];
let foreignRunId: string;

async function insertRun(owner: Member, workflowId: string, status: RunStatus, createdAt: Date) {
  const startedAt = status === "queued" ? null : new Date(createdAt.getTime() + 100);
  const finishedAt = ["succeeded", "failed", "cancelled"].includes(status) ? new Date(createdAt.getTime() + 1600) : null;
  return db().run.create({
    data: {
      workspaceId: owner.workspaceId,
      workflowId,
      workflowName: workflowId === workflowA ? "Alpha" : "Beta",
      graph,
      inputs: { question: "why?" },
      status,
      totalTokens: 10,
      createdAt,
      startedAt,
      finishedAt,
    },
  });
}

beforeAll(async () => {
  member = await createTestMember("viewer");
  other = await createTestMember("owner");
  workflowA = (await db().workflow.create({ data: { workspaceId: member.workspaceId, name: "Alpha", graph } })).id;
  workflowB = (await db().workflow.create({ data: { workspaceId: member.workspaceId, name: "Beta", graph } })).id;
  const statuses: RunStatus[] = ["succeeded", "failed", "succeeded", "running", "queued", "succeeded", "cancelled"];
  const base = Date.parse("2026-01-01T00:00:00Z");
  for (const [index, status] of statuses.entries()) {
    const workflowId = index % 2 === 0 ? workflowA : workflowB;
    const run = await insertRun(member, workflowId, status, new Date(base + index * 60_000));
    created.push({ id: run.id, status, workflowId });
  }
  // Two runs with the same createdAt: the cursor must not skip or repeat either.
  for (let i = 0; i < 2; i++) {
    const run = await insertRun(member, workflowA, "succeeded", new Date(base + 10 * 60_000));
    created.push({ id: run.id, status: "succeeded", workflowId: workflowA });
  }
  const foreignWorkflow = await db().workflow.create({ data: { workspaceId: other.workspaceId, name: "Foreign", graph } });
  foreignRunId = (await insertRun(other, foreignWorkflow.id, "succeeded", new Date(base + 20 * 60_000))).id;
});

afterAll(async () => {
  await db().$disconnect();
});

/** Expected newest-first order: createdAt desc, then id desc. */
function expectedOrder(filter: (run: (typeof created)[number]) => boolean = () => true) {
  const index = new Map(created.map((run, i) => [run.id, i]));
  const time = (id: string) => Math.min(index.get(id)!, 7);
  return created
    .filter(filter)
    .map((run) => run.id)
    .sort((a, b) => time(b) - time(a) || (a < b ? 1 : -1));
}

describe("listRuns", () => {
  it("lists the workspace's runs newest first, with duration and tokens", async () => {
    const page = await listRuns(member, { limit: 100 });
    expect(page.runs.map((run) => run.id)).toEqual(expectedOrder());
    expect(page.nextCursor).toBeNull();
    const oldest = page.runs[page.runs.length - 1];
    expect(oldest).toMatchObject({ status: "succeeded", workflowId: workflowA, workflowName: "Alpha", totalTokens: 10, durationMs: 1500 });
    const queued = page.runs.find((run) => run.status === "queued");
    expect(queued?.durationMs).toBeNull();
    expect(queued?.startedAt).toBeNull();
  });

  it("never shows another workspace's runs", async () => {
    const mine = await listRuns(member, { limit: 100 });
    expect(mine.runs.map((run) => run.id)).not.toContain(foreignRunId);
    const theirs = await listRuns(other, { limit: 100 });
    expect(theirs.runs.map((run) => run.id)).toEqual([foreignRunId]);
  });

  it("filters by status and by workflow, and by both", async () => {
    const succeeded = await listRuns(member, { status: "succeeded", limit: 100 });
    expect(succeeded.runs.map((run) => run.id)).toEqual(expectedOrder((run) => run.status === "succeeded"));
    expect(succeeded.runs.every((run) => run.status === "succeeded")).toBe(true);

    const beta = await listRuns(member, { workflowId: workflowB, limit: 100 });
    expect(beta.runs.map((run) => run.id)).toEqual(expectedOrder((run) => run.workflowId === workflowB));

    const both = await listRuns(member, { workflowId: workflowA, status: "succeeded", limit: 100 });
    expect(both.runs.map((run) => run.id)).toEqual(
      expectedOrder((run) => run.workflowId === workflowA && run.status === "succeeded"),
    );
    expect(await listRuns(member, { status: "waiting" })).toEqual({ runs: [], nextCursor: null });
  });

  it("pages with a cursor without gaps or repeats, including runs created at the same instant", async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listRuns(member, { limit: 2, cursor });
      expect(page.runs.length).toBeLessThanOrEqual(2);
      seen.push(...page.runs.map((run) => run.id));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor && pages < 20);
    expect(seen).toEqual(expectedOrder());
    expect(pages).toBe(Math.ceil(created.length / 2));
  });

  it("pages within a filter and treats a garbled cursor as the end", async () => {
    const first = await listRuns(member, { status: "succeeded", limit: 3 });
    expect(first.nextCursor).not.toBeNull();
    const second = await listRuns(member, { status: "succeeded", limit: 3, cursor: first.nextCursor! });
    expect([...first.runs, ...second.runs].map((run) => run.id)).toEqual(expectedOrder((run) => run.status === "succeeded"));
    expect(second.nextCursor).toBeNull();
    expect(await listRuns(member, { cursor: "not-a-cursor" })).toEqual({ runs: [], nextCursor: null });
  });

  it("rejects an out-of-range limit", async () => {
    await expect(listRuns(member, { limit: 0 })).rejects.toThrow();
    await expect(listRuns(member, { limit: 1000 })).rejects.toThrow();
  });
});

describe("getRunDetail", () => {
  it("returns the run and its steps in execution order, with the LLM trace parsed", async () => {
    const runId = created[1].id; // failed
    await db().run.update({
      where: { id: runId },
      data: { error: { code: "provider_auth", message: "The API key was rejected.", nodeId: "llm_1" }, promptTokens: 7, completionTokens: 3 },
    });
    const t0 = Date.parse("2026-01-01T00:01:00.100Z");
    await db().runStep.create({
      data: {
        runId,
        nodeId: "llm_1",
        nodeType: "llm",
        status: "failed",
        input: [{ role: "user", content: "Hi" }],
        error: { code: "provider_auth", message: "The API key was rejected." },
        detail: {
          model: "gpt-test",
          messages: [
            { role: "system", content: "Be brief." },
            { role: "user", content: "Hi" },
          ],
          finishReason: null,
          usage: { promptTokens: 7, completionTokens: 3, totalTokens: 10 },
          temperature: 0.2,
        },
        promptTokens: 7,
        completionTokens: 3,
        totalTokens: 10,
        startedAt: new Date(t0 + 50),
        finishedAt: new Date(t0 + 900),
      },
    });
    await db().runStep.create({
      data: {
        runId,
        nodeId: "start",
        nodeType: "start",
        status: "succeeded",
        input: { question: "why?" },
        output: { question: "why?" },
        startedAt: new Date(t0),
        finishedAt: new Date(t0 + 5),
      },
    });

    const detail = await getRunDetail(member, runId);
    expect(detail).not.toBeNull();
    expect(detail!).toMatchObject({
      id: runId,
      status: "failed",
      workflowName: "Beta",
      inputs: { question: "why?" },
      error: { code: "provider_auth", message: "The API key was rejected.", nodeId: "llm_1" },
      promptTokens: 7,
      completionTokens: 3,
      durationMs: 1500,
    });
    expect(detail!.steps.map((step) => step.nodeId)).toEqual(["start", "llm_1"]);
    const [start, llm] = detail!.steps;
    expect(start).toMatchObject({ status: "succeeded", output: { question: "why?" }, llm: null, durationMs: 5, label: null });
    expect(llm).toMatchObject({
      status: "failed",
      label: "Summarise",
      durationMs: 850,
      error: { code: "provider_auth" },
      promptTokens: 7,
      completionTokens: 3,
      totalTokens: 10,
      llm: { model: "gpt-test", temperature: 0.2, usage: { promptTokens: 7, completionTokens: 3, totalTokens: 10 } },
    });
    expect(llm.llm!.messages.map((message) => message.role)).toEqual(["system", "user"]);
  });

  it("returns null for another workspace's run and for an unknown id", async () => {
    expect(await getRunDetail(member, foreignRunId)).toBeNull();
    expect(await getRunDetail(other, created[0].id)).toBeNull();
    expect(await getRunDetail(member, "00000000-0000-4000-8000-000000000000")).toBeNull();
    expect(await getRunDetail(other, foreignRunId)).not.toBeNull();
  });
});

describe("steps that started in the same millisecond", () => {
  it("are shown in the order they ran: the one that finished first comes first, a running one last", async () => {
    const run = await insertRun(member, workflowA, "running", new Date(Date.parse("2026-01-02T00:00:00Z")));
    const at = new Date(Date.parse("2026-01-02T00:00:01Z"));
    const step = (nodeId: string, finishedAt: Date | null) => ({
      runId: run.id,
      nodeId,
      nodeType: "code",
      status: finishedAt ? ("succeeded" as const) : ("running" as const),
      startedAt: at,
      finishedAt,
    });
    // Node ids chosen so that sorting by id alone would give the wrong order.
    await db().runStep.createMany({
      data: [step("a_third", null), step("z_first", at), step("m_second", new Date(at.getTime() + 3))],
    });
    const detail = await getRunDetail(member, run.id);
    expect(detail!.steps.map((s) => s.nodeId)).toEqual(["z_first", "m_second", "a_third"]);
    // The public API's view (built in SQL) and the engine's reload use the same order.
    const view = await getRunView(member.workspaceId, run.id);
    expect(view!.steps.map((s) => s.nodeId)).toEqual(["z_first", "m_second", "a_third"]);
    expect((await loadStepRows(poolOf(db()), run.id)).map((s) => s.nodeId)).toEqual(["z_first", "m_second", "a_third"]);
  });
});
