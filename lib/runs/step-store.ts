import type { Db } from "@/lib/db/client";
import type { ErrorInfo } from "@/lib/engine/errors";
import type { StepBegin, StepFailure, StepRecord, StepStore, StepSuccess, StepWait, StepWaitState } from "@/lib/engine/run-ports";
import { Prisma } from "@/lib/generated/prisma/client";

/** A write from a worker that no longer holds the run (another worker took it over). */
export class LeaseLostError extends Error {
  constructor(runId: string) {
    super(`Run ${runId} is held by another worker; this worker's write was rejected.`);
    this.name = "LeaseLostError";
  }
}

/** The run was cancelled (its status in PostgreSQL says so): no further step may start. */
export class RunCancelledError extends Error {
  constructor(runId: string) {
    super(`Run ${runId} was cancelled; no further step starts.`);
    this.name = "RunCancelledError";
  }
}

const json = (value: unknown) => (value === undefined ? undefined : (value as Prisma.InputJsonValue));

/**
 * The engine's StepStore over PostgreSQL. Every write is fenced by the run's lease token:
 * it only lands while this worker still holds the run, so a stalled worker that wakes up
 * late cannot overwrite what its successor did.
 */
export function createStepStore(db: Db, runId: string, leaseToken: number): StepStore {
  const fence = { runId, run: { leaseToken } } satisfies Prisma.RunStepWhereInput;

  /**
   * Before a step starts: this worker still holds the run and the run is still running. This is
   * also the fallback for a lost cancel message: a cancelled run starts no further step.
   */
  async function assertLease() {
    const run = await db.run.findUnique({ where: { id: runId }, select: { leaseToken: true, status: true } });
    if (!run || run.leaseToken !== leaseToken) throw new LeaseLostError(runId);
    if (run.status === "cancelled") throw new RunCancelledError(runId);
    if (run.status !== "running") throw new LeaseLostError(runId);
  }

  return {
    async loadSteps(): Promise<StepRecord[]> {
      const [rows, waits] = await Promise.all([
        db.runStep.findMany({ where: { runId }, orderBy: { startedAt: "asc" } }),
        db.runWait.findMany({ where: { runId }, select: { nodeId: true, iteration: true, status: true, response: true, answeredById: true, answeredAt: true } }),
      ]);
      const waitOf = new Map(waits.map((w) => [`${w.nodeId}:${w.iteration}`, w] as const));
      const waitState = (nodeId: string, iteration: number): StepWaitState | null => {
        const w = waitOf.get(`${nodeId}:${iteration}`);
        if (!w) return null;
        if (w.status === "pending") return { status: "pending" };
        return { status: w.status, response: w.response ?? null, answeredBy: w.answeredById, at: (w.answeredAt ?? new Date()).toISOString() };
      };
      return rows.map((row) => ({
        nodeId: row.nodeId,
        iteration: row.iteration,
        nodeType: row.nodeType,
        status: row.status,
        output: (row.output as Record<string, unknown> | null) ?? null,
        branch: row.branch,
        error: (row.error as ErrorInfo | null) ?? null,
        attempt: row.attempt,
        ...(row.status === "waiting" ? { wait: waitState(row.nodeId, row.iteration) } : {}),
      }));
    },

    async waitStep(step: StepWait) {
      // One transaction: a step is never `waiting` without its pending wait, nor the other way round.
      await db.$transaction(async (tx) => {
        const result = await tx.runStep.updateMany({
          where: { ...fence, nodeId: step.nodeId, iteration: step.iteration },
          data: {
            status: "waiting",
            input: json(step.input),
            detail: json(step.detail),
            error: Prisma.DbNull,
            promptTokens: step.usage?.promptTokens ?? 0,
            completionTokens: step.usage?.completionTokens ?? 0,
            totalTokens: step.usage?.totalTokens ?? 0,
            finishedAt: null,
          },
        });
        if (result.count === 0) throw new LeaseLostError(runId);
        const { workspaceId } = await tx.run.findUniqueOrThrow({ where: { id: runId }, select: { workspaceId: true } });
        const wait = {
          kind: step.wait.kind,
          status: "pending" as const,
          request: step.wait.request as Prisma.InputJsonValue,
          response: Prisma.DbNull,
          childRunId: step.wait.childRunId ?? null,
          timeoutAt: step.wait.timeoutAt ? new Date(step.wait.timeoutAt) : null,
          answeredById: null,
          answeredAt: null,
        };
        await tx.runWait.upsert({
          where: { runId_nodeId_iteration: { runId, nodeId: step.nodeId, iteration: step.iteration } },
          create: { ...wait, workspaceId, runId, nodeId: step.nodeId, iteration: step.iteration },
          // The same step waiting again (a resumed node asked anew): a fresh pending wait.
          update: { ...wait, createdAt: new Date() },
        });
      });
    },

    async beginStep(step: StepBegin) {
      await assertLease();
      const row = await db.runStep.upsert({
        where: { runId_nodeId_iteration: { runId, nodeId: step.nodeId, iteration: step.iteration } },
        create: { runId, nodeId: step.nodeId, nodeType: step.nodeType, iteration: step.iteration, status: "running" },
        update: { status: "running", attempt: { increment: 1 }, startedAt: new Date(), finishedAt: null, error: Prisma.DbNull },
        select: { attempt: true },
      });
      return { attempt: row.attempt };
    },

    async completeStep(step: StepSuccess) {
      const result = await db.runStep.updateMany({
        where: { ...fence, nodeId: step.nodeId, iteration: step.iteration },
        data: {
          status: "succeeded",
          input: json(step.input),
          output: json(step.output),
          // A failure handled by the node's On error setting stays visible on the succeeded step.
          error: step.error ? json(step.error) : Prisma.DbNull,
          detail: json(step.detail),
          branch: step.branch ?? null,
          promptTokens: step.usage?.promptTokens ?? 0,
          completionTokens: step.usage?.completionTokens ?? 0,
          totalTokens: step.usage?.totalTokens ?? 0,
          finishedAt: new Date(),
        },
      });
      if (result.count === 0) throw new LeaseLostError(runId);
    },

    async failStep(step: StepFailure) {
      const result = await db.runStep.updateMany({
        where: { ...fence, nodeId: step.nodeId, iteration: step.iteration },
        data: {
          status: "failed",
          input: json(step.input),
          error: json(step.error),
          detail: json(step.detail),
          promptTokens: step.usage?.promptTokens ?? 0,
          completionTokens: step.usage?.completionTokens ?? 0,
          totalTokens: step.usage?.totalTokens ?? 0,
          finishedAt: new Date(),
        },
      });
      if (result.count === 0) throw new LeaseLostError(runId);
    },

    async skipStep(step: StepBegin) {
      await assertLease();
      const now = new Date();
      await db.runStep.upsert({
        where: { runId_nodeId_iteration: { runId, nodeId: step.nodeId, iteration: step.iteration } },
        create: { runId, nodeId: step.nodeId, nodeType: step.nodeType, iteration: step.iteration, status: "skipped", startedAt: now, finishedAt: now },
        update: { status: "skipped", finishedAt: now },
      });
    },
  };
}
