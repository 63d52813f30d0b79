import type { Db } from "@/lib/db/client";
import { GraphSchema } from "@/lib/engine/graph";
import type { ErrorInfo } from "@/lib/engine/errors";
import type { EngineServices } from "@/lib/engine/ports";
import type { RunEvent, RunOutcome } from "@/lib/engine/run-ports";
import { executeRun } from "@/lib/engine/run-engine";
import { Prisma } from "@/lib/generated/prisma/client";
import { executorRegistry } from "@/lib/nodes/executors";
import { nodeRegistry } from "@/lib/nodes/registry";
import { createStepStore, LeaseLostError, RunCancelledError } from "./step-store";

/**
 * The abort reason a worker uses when it shuts down with a run unfinished: the run is handed
 * back to the queue (not cancelled), and another worker resumes it from its durable steps.
 */
export class WorkerShutdown extends Error {
  constructor() {
    super("The worker is shutting down; the run is handed to another worker.");
    this.name = "WorkerShutdown";
  }
}

export interface ProcessRunDeps {
  db: Db;
  publish: (runId: string, event: RunEvent) => void;
  /** Ports for one workspace: a run can only ever reach its own workspace's providers. */
  servicesFor: (workspaceId: string) => EngineServices;
  workerId: string;
  signal?: AbortSignal;
  maxConcurrency?: number;
  log?: { warn: (obj: object, msg: string) => void; info: (obj: object, msg: string) => void };
}

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);
const now = () => new Date();

/**
 * Executes (or resumes) one run. Everything is rebuilt from PostgreSQL: the frozen graph, the
 * inputs and the steps already done, so any worker can pick up any run at any time.
 */
export async function processRun(runId: string, deps: ProcessRunDeps): Promise<RunOutcome["status"] | "skipped" | "released"> {
  const { db } = deps;
  const run = await db.run.findUnique({ where: { id: runId } });
  if (!run || TERMINAL.has(run.status) || run.status === "waiting") return "skipped";

  // Take the lease: bumping the token fences out any earlier holder of this run.
  const leaseToken = run.leaseToken + 1;
  const taken = await db.run.updateMany({
    where: { id: runId, leaseToken: run.leaseToken, status: { in: ["queued", "running"] } },
    data: { status: "running", leaseOwner: deps.workerId, leaseToken, startedAt: run.startedAt ?? now() },
  });
  if (taken.count === 0) return "skipped";
  deps.publish(runId, { type: "run", status: "running", at: now().toISOString() });

  const graph = GraphSchema.safeParse(run.graph);
  let outcome: RunOutcome;
  try {
    outcome = graph.success
      ? await executeRun({
          runId,
          graph: graph.data,
          inputs: (run.inputs ?? {}) as Record<string, unknown>,
          registry: nodeRegistry,
          executors: executorRegistry,
          store: createStepStore(db, runId, leaseToken),
          events: { publish: (event) => deps.publish(runId, event) },
          services: deps.servicesFor(run.workspaceId),
          signal: deps.signal ?? new AbortController().signal,
          maxConcurrency: deps.maxConcurrency,
          // The run deadline counts from the first start, not from this worker's pickup.
          startedAt: run.startedAt ?? undefined,
        }).catch((error: unknown) => {
          if (error instanceof LeaseLostError || error instanceof RunCancelledError) throw error;
          const info: ErrorInfo = { code: "internal", message: "The run stopped because of an internal error." };
          deps.log?.warn({ runId, err: error }, "run crashed inside the engine");
          return { status: "failed", error: info, usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 } } as RunOutcome;
        })
      : { status: "failed", error: { code: "invalid_graph", message: "The run's graph could not be read." }, usage: { promptTokens: 0, completionTokens: 0, totalTokens: 0 } };
  } catch (error) {
    // Cancelled between steps (status already written by cancelRun): nothing more to write.
    if (error instanceof RunCancelledError) {
      await recordCancelledTotals(db, runId, leaseToken);
      return "cancelled";
    }
    throw error;
  }

  if (deps.signal?.aborted && deps.signal.reason instanceof WorkerShutdown) {
    // Not an outcome: the run stays `running` in PostgreSQL and goes back to the queue.
    await db.run.updateMany({ where: { id: runId, leaseToken, status: "running" }, data: { leaseOwner: null } });
    return "released";
  }

  // Token totals come from every step row, so a resumed run also counts steps done before the crash.
  const totals = await db.runStep.aggregate({
    where: { runId },
    _sum: { promptTokens: true, completionTokens: true, totalTokens: true },
  });
  const finishedAt = now();
  const written = await db.run.updateMany({
    where: { id: runId, leaseToken, status: "running" },
    data: {
      status: outcome.status,
      output: outcome.status === "succeeded" ? (outcome.output as Prisma.InputJsonValue) : Prisma.DbNull,
      error: outcome.status === "failed" ? (outcome.error as unknown as Prisma.InputJsonValue) : Prisma.DbNull,
      promptTokens: totals._sum.promptTokens ?? 0,
      completionTokens: totals._sum.completionTokens ?? 0,
      totalTokens: totals._sum.totalTokens ?? 0,
      finishedAt,
      leaseOwner: null,
    },
  });
  if (written.count === 0) {
    const current = await db.run.findUnique({ where: { id: runId }, select: { status: true, leaseToken: true } });
    if (current?.status === "cancelled" && current.leaseToken === leaseToken) {
      // cancelRun wrote the status (the source of truth) and published the event; keep the tokens spent.
      await recordCancelledTotals(db, runId, leaseToken);
      return "cancelled";
    }
    deps.log?.warn({ runId, leaseToken }, "late write rejected: the run was taken over or finished elsewhere");
    throw new LeaseLostError(runId);
  }
  deps.publish(runId, {
    type: "run",
    status: outcome.status,
    output: outcome.status === "succeeded" ? outcome.output : null,
    error: outcome.status === "failed" ? outcome.error : null,
    at: finishedAt.toISOString(),
  });
  return outcome.status;
}

/** A cancelled run still reports the tokens its steps spent (fenced: only the lease holder writes). */
async function recordCancelledTotals(db: Db, runId: string, leaseToken: number): Promise<void> {
  const totals = await db.runStep.aggregate({
    where: { runId },
    _sum: { promptTokens: true, completionTokens: true, totalTokens: true },
  });
  await db.run.updateMany({
    where: { id: runId, leaseToken, status: "cancelled" },
    data: {
      promptTokens: totals._sum.promptTokens ?? 0,
      completionTokens: totals._sum.completionTokens ?? 0,
      totalTokens: totals._sum.totalTokens ?? 0,
      leaseOwner: null,
    },
  });
}
