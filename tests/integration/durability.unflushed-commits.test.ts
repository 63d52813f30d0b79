import { randomUUID } from "node:crypto";
import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Member } from "@/lib/auth/member";
import { db, poolOf } from "@/lib/db/client";
import { runStartedAuditValues } from "@/lib/runs/audit";
import { insertRunRow, type NewRun } from "@/lib/runs/run-insert";
import { takeLeaseUnlessLimited, writeStepRows, type StepRow } from "@/lib/runs/step-sql";
import { createWorkflow } from "@/lib/workflows/service";
import { createTestMember } from "./helpers/members";

/**
 * The lease (and a synchronous API call's run insert) commit without waiting for the WAL flush
 * (lib/runs/step-sql.ts says why that loses nothing durable). The setting must hold for that one
 * transaction only: the same pooled connection writes steps and the run's end next, and those
 * must wait for the disk as before.
 */
let member: Member;
let workflowId: string;

beforeAll(async () => {
  member = await createTestMember();
  workflowId = (await createWorkflow(member, { name: "unflushed", graph: { version: 1, nodes: [], edges: [] } })).id;
});

afterAll(async () => {
  await db().$disconnect();
});

const newRun = (id: string): NewRun => ({
  id,
  workspaceId: member.workspaceId,
  workflowId,
  workflowName: "unflushed",
  workflowVersionId: null,
  graph: { version: 1, nodes: [], edges: [] },
  inputs: {},
  createdById: member.userId,
  origin: { trigger: "api" },
});

/** A queued run and its audit entry, as createAndEnqueueRun writes them; `flush: false` as for a synchronous API call. */
async function queuedRun(options: { flush?: boolean } = {}): Promise<string> {
  const id = randomUUID();
  const audit = await runStartedAuditValues(member, { id, workflowName: "unflushed" }, { workflowId, versionId: null });
  return insertRunRow(newRun(id), audit, options);
}

const setting = async (client: pg.PoolClient) => (await client.query<{ synchronous_commit: string }>("SHOW synchronous_commit")).rows[0]!.synchronous_commit;

describe("commits that need not wait for the disk", () => {
  it("the lease turns synchronous_commit off for its own transaction only", async () => {
    const runId = await queuedRun();
    const client = await poolOf(db()).connect();
    try {
      expect(await setting(client)).toBe("on");
      await client.query("BEGIN");
      // The statement as the worker sends it, here inside a transaction we can look into.
      const lease = await takeLeaseUnlessLimited(client as unknown as pg.Pool, runId, "worker-under-test", 5_000);
      expect(lease).toMatchObject({ leaseToken: 1 });
      expect(await setting(client)).toBe("off");
      await client.query("COMMIT");
      // The next transaction on this connection (a step write, the run's end) flushes as before.
      expect(await setting(client)).toBe("on");
    } finally {
      client.release();
    }
    const run = await db().run.findUniqueOrThrow({ where: { id: runId }, select: { status: true, leaseOwner: true } });
    expect(run).toEqual({ status: "running", leaseOwner: "worker-under-test" });
  });

  it("a deferred step's unflushed write is fenced like any other and counts the rows it wrote", async () => {
    const runId = await queuedRun();
    const lease = await takeLeaseUnlessLimited(poolOf(db()), runId, "worker-under-test", 5_000);
    if (!lease || !("leaseToken" in lease)) throw new Error("no lease");
    const now = new Date();
    const row: StepRow = { nodeId: "say", nodeType: "template", iteration: 0, status: "succeeded", output: { text: "hi" }, attempt: 1, promptTokens: 0, completionTokens: 0, totalTokens: 0, startedAt: now, finishedAt: now };
    expect(await writeStepRows(poolOf(db()), runId, lease.leaseToken + 1, [row], { flush: false })).toBe(0);
    const client = await poolOf(db()).connect();
    try {
      await client.query("BEGIN");
      expect(await writeStepRows(client as unknown as pg.Pool, runId, lease.leaseToken, [row], { flush: false })).toBe(1);
      expect(await setting(client)).toBe("off");
      await client.query("COMMIT");
      expect(await setting(client)).toBe("on");
    } finally {
      client.release();
    }
    expect(await db().runStep.findMany({ where: { runId }, select: { nodeId: true, status: true, output: true } })).toEqual([{ nodeId: "say", status: "succeeded", output: { text: "hi" } }]);
  });

  it("an unflushed run insert leaves every pooled connection flushing its later commits", async () => {
    const pool = poolOf(db());
    const runIds = await Promise.all(Array.from({ length: pool.options.max ?? 10 }, () => queuedRun({ flush: false })));
    expect(new Set(runIds).size).toBe(runIds.length);
    // Every connection the pool holds now: none kept the transaction-local setting.
    const clients = await Promise.all(Array.from({ length: pool.totalCount }, () => pool.connect()));
    try {
      for (const client of clients) expect(await setting(client)).toBe("on");
    } finally {
      for (const client of clients) client.release();
    }
    const rows = await db().run.findMany({ where: { id: { in: runIds } }, select: { status: true } });
    expect(rows.map((r) => r.status)).toEqual(runIds.map(() => "queued"));
  });
});
