import { poolOf, type Db } from "@/lib/db/client";
import { retried } from "@/lib/db/retry";
import { isDatabaseFault, isTransientError } from "@/lib/db/transient";
import type { EngineServices } from "@/lib/engine/ports";
import type { RunEvent, RunOutcome } from "@/lib/engine/run-ports";
import { executeRun } from "@/lib/engine/run-engine";
import { zeroUsage } from "@/lib/engine/usage";
import { executorRegistry } from "@/lib/nodes/executors";
import { nodeRegistry } from "@/lib/nodes/registry";
import { conversationOf } from "@/lib/engine/conversation";
import { finishChatTurn } from "@/lib/chat/finish-turn";
import { notifyParent, settleFinishedChildren } from "./subworkflows";
import { recordRunCost } from "./run-cost";
import { readRunGraph } from "./version-graphs";
import { NODE_TEST_KIND } from "./node-test-kind";
import { finishRunRow, RUN_LEASE_MS, type StepRow } from "./step-sql";
import { createStepStore, LeaseLostError, RunCancelledError, type RunStepStore } from "./step-store";
import { InfrastructureError } from "./infrastructure-error";
import { RunThrottled, throttleDelay } from "@/lib/limits/throttled";
import { takeLeaseWithinWorkflowLimit } from "@/lib/limits/workflow-concurrency";

/** Steps of pure nodes are written in batches (see NodeDefinition.pure). */
const deferrable = (nodeType: string) => nodeRegistry[nodeType]?.pure === true;
const lazy = (nodeType: string) => nodeRegistry[nodeType]?.sideEffectFree === true;

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
  /** `endView`, with the run's end only: the run's public view as JSON text, told to whoever waits for the end. */
  publish: (runId: string, event: RunEvent, endView?: string) => void;
  /** Ports for one workspace: a run can only ever reach its own workspace's providers. */
  servicesFor: (workspaceId: string, runId: string) => EngineServices;
  workerId: string;
  /** How long the run's lease holds without renewal (step-sql.ts RUN_LEASE_MS by default). */
  leaseMs?: number;
  signal?: AbortSignal;
  /** Called when the run took a slot of its workflow's concurrency limit (the worker frees it for the next run when this one lets go). */
  onWorkflowSlot?: (workflowId: string) => void;
  maxConcurrency?: number;
  /**
   * A caller waits for this run's end with its view (the job says so: a synchronous API call). The
   * final statement then returns the view and it is published with the end, unless the run had
   * waits (their pending ones are closed after that statement, so its view would be stale).
   */
  endView?: boolean;
  log?: { warn: (obj: object, msg: string) => void; info: (obj: object, msg: string) => void };
}

const now = () => new Date();

/** A run given back to the queue until a limit allows it: the worker delays its job until `until`. */
export interface Throttled {
  status: "throttled";
  until: Date;
}

/**
 * Executes (or resumes) one run. Everything is rebuilt from PostgreSQL: the frozen graph, the
 * inputs and the steps already done, so any worker can pick up any run at any time.
 */
export async function processRun(runId: string, deps: ProcessRunDeps): Promise<RunOutcome["status"] | "skipped" | "released" | Throttled> {
  const { db } = deps;
  const pool = poolOf(db);
  // Take the lease: bumping the token fences out any earlier holder of this run. A workflow whose
  // concurrency limit is reached refuses it (the run stays queued, throttled, without a worker).
  const leased = await takeLeaseWithinWorkflowLimit(pool, runId, deps.workerId, deps.leaseMs ?? RUN_LEASE_MS);
  if (leased instanceof RunThrottled) return throttled(leased);
  if (!leased) return "skipped";
  if (leased.concurrencyLimited && leased.workflowId) deps.onWorkflowSlot?.(leased.workflowId);
  const run = leased;
  const { leaseToken } = run;
  // A run that never started and copied no steps (resume/re-run copy them) has none to load.
  let fresh = run.previousStart === null && run.sourceRunId === null;
  let hadWaits = false;
  deps.publish(runId, { type: "run", status: "running", at: now().toISOString() });

  // Parsed and validated once per published version in this process (lib/runs/version-graphs.ts).
  const graph = readRunGraph(run.graph, run.workflowVersionId);
  // A wait resolved while this worker was still busy with other branches: run again at once
  // (the same lease) instead of parking a run that has work to do.
  for (;;) {
    const pass = await executeOnce();
    if (pass === "cancelled") {
      await tellParent();
      return "cancelled";
    }
    if ("throttled" in pass) {
      // Steps finished before the limit was hit are kept; the interrupted one runs again later.
      if (!(await flushOrStop(pass.store))) return "cancelled";
      const delayMs = throttleDelay(pass.throttled.retryAfterMs);
      if (!(await retried(() => releaseThrottled(db, runId, leaseToken, pass.throttled.reason, delayMs)))) return lostOrCancelled(await readStatus(db, runId));
      await recordRunCost(db, runId);
      deps.log?.info({ runId, reason: pass.throttled.reason, delayMs }, "run throttled: given back to the queue");
      return throttled(pass.throttled, delayMs);
    }
    const { outcome, store } = pass;

    if (deps.signal?.aborted && deps.signal.reason instanceof WorkerShutdown) {
      // Not an outcome: the run stays `running` in PostgreSQL and goes back to the queue.
      await retried(() => db.run.updateMany({ where: { id: runId, leaseToken, status: "running" }, data: { leaseOwner: null, leaseExpiresAt: null } }));
      return "released";
    }

    if (outcome.status === "waiting") {
      if (!(await flushOrStop(store))) return "cancelled";
      // Token totals come from every step row, so a resumed run also counts steps done before the crash.
      const totals = await stepTotals(db, runId);
      // A child run that ended before its wait was recorded resolves it now (parkRun then sees it and refuses).
      await retried(() => settleFinishedChildren(db, runId));
      if (await retried(() => parkRun(db, runId, leaseToken, totals))) {
        await recordRunCost(db, runId);
        deps.publish(runId, { type: "run", status: "waiting", at: now().toISOString() });
        return "waiting";
      }
      const current = await readStatus(db, runId);
      if (current?.status === "waiting" && current.leaseToken === leaseToken) {
        // Parked by this very lease: the park committed, its reply was lost and the retry found it done.
        await recordRunCost(db, runId);
        deps.publish(runId, { type: "run", status: "waiting", at: now().toISOString() });
        return "waiting";
      }
      if (current?.status === "running" && current.leaseToken === leaseToken) {
        deps.log?.info({ runId }, "a wait was resolved while the run was running: processing it again");
        continue;
      }
      return lostOrCancelled(current);
    }

    // One statement writes the last steps, the outcome, the token totals and the cost: whoever sees
    // the run finished sees all of it.
    let finishedAt = new Date();
    let endView: string | undefined;
    const finish = async (rows: StepRow[]) => {
      const written = await finishRunRow(
        pool,
        runId,
        leaseToken,
        {
          status: outcome.status,
          output: outcome.status === "succeeded" ? outcome.output : undefined,
          error: outcome.status === "failed" ? outcome.error : undefined,
        },
        rows,
        { view: deps.endView === true && !hadWaits },
      );
      if (written) ({ finishedAt, view: endView } = written);
      return written !== null;
    };
    if (!(await flushOrStop(store, finish))) return "cancelled";
    // A run that ended (a branch failed while another waited) answers no more questions.
    if (hadWaits) await retried(() => db.runWait.updateMany({ where: { runId, status: "pending" }, data: { status: "cancelled", answeredAt: finishedAt } }));
    // A chat turn's answer is written before watchers hear the run ended, and travels with the end (lib/chat/finish-turn.ts).
    const message = graph.ok && conversationOf(graph.graph, nodeRegistry) ? await writeChatAnswer() : null;
    deps.publish(runId, {
      type: "run",
      status: outcome.status,
      output: outcome.status === "succeeded" ? outcome.output : null,
      error: outcome.status === "failed" ? outcome.error : null,
      ...(message ? { message } : {}),
      at: finishedAt.toISOString(),
    }, endView);
    await tellParent();
    return outcome.status;
  }

  async function writeChatAnswer() {
    return retried(() => finishChatTurn(db, runId)).catch((error: unknown) => {
      deps.log?.warn({ runId, err: error }, "could not write the chat answer");
      return null;
    });
  }

  /**
   * Writes what the store still holds (with `write`, the run's final statement); false when the run
   * was cancelled meanwhile (its tokens are recorded); throws LeaseLostError when another worker holds it.
   */
  async function flushOrStop(store: RunStepStore | undefined, write?: (rows: StepRow[]) => Promise<boolean>): Promise<boolean> {
    try {
      if (store) await store.flush(write);
      else if (write && !(await write([]))) throw new LeaseLostError(runId);
      return true;
    } catch (error) {
      if (!(error instanceof RunCancelledError || error instanceof LeaseLostError)) throw error;
      await lostOrCancelled(await readStatus(db, runId));
      await tellParent();
      return false;
    }
  }

  /** A sub-workflow's child run that ended wakes its parent (best effort: the parent also checks before it parks). */
  async function tellParent(): Promise<void> {
    if (!run.parentRunId) return;
    await notifyParent(db, runId).catch((error: unknown) => deps.log?.warn({ runId, err: error }, "could not resolve the parent run's wait"));
  }

  /** Tells watchers the run waits for a limit (its row already says so). */
  function throttled(error: RunThrottled, delayMs = throttleDelay(error.retryAfterMs)): Throttled {
    const until = new Date(Date.now() + delayMs);
    deps.publish(runId, { type: "run", status: "queued", throttled: { reason: error.reason, until: until.toISOString() }, at: now().toISOString() });
    return { status: "throttled", until };
  }

  /** One pass of the engine, with the store whose last steps are still to be written (with the outcome). */
  async function executeOnce(): Promise<{ outcome: RunOutcome; store?: RunStepStore } | { throttled: RunThrottled; store: RunStepStore } | "cancelled"> {
    if (!graph.ok) {
      return { outcome: { status: "failed", error: { code: "invalid_graph", message: "The run's graph could not be read." }, usage: zeroUsage() } };
    }
    const store: RunStepStore = createStepStore(db, runId, leaseToken, { deferrable, lazy, fresh, publish: (event) => deps.publish(runId, event) });
    fresh = false;
    try {
      const outcome = await executeRun({
        runId,
        graph: graph.graph,
        graphChecked: graph.checked,
        inputs: (run.inputs ?? {}) as Record<string, unknown>,
        registry: nodeRegistry,
        executors: executorRegistry,
        store,
        events: store.events,
        services: deps.servicesFor(run.workspaceId, runId),
        signal: deps.signal ?? new AbortController().signal,
        maxConcurrency: deps.maxConcurrency,
        // A node whose own database or Redis access failed for a moment is not the node's failure:
        // the run goes back to the queue and the step runs again (same idempotency key).
        // A model call a provider limit does not allow yet stops the pass the same way (RunThrottled).
        isInfrastructureError: (error) => isDatabaseFault(error) || error instanceof RunThrottled,
        // The run deadline counts from the first start, not from this worker's pickup, minus the time spent waiting.
        startedAt: await deadlineClockStart(db, runId, run.previousStart),
        // Pins are for the editor's draft runs only: a run of a published version never uses one
        // (publishing strips them too, lib/engine/pins.ts).
        usePins: run.workflowVersionId === null,
        nodeTest: run.sourceKind === NODE_TEST_KIND && run.sourceNodeId ? { nodeId: run.sourceNodeId } : undefined,
      });
      hadWaits ||= store.hasWaits();
      return { outcome, store };
    } catch (error) {
      // Cancelled between steps (status already written by cancelRun): nothing more to write.
      if (error instanceof RunCancelledError) {
        await recordCancelledTotals(db, runId, leaseToken);
        return "cancelled";
      }
      if (error instanceof LeaseLostError) throw error;
      if (error instanceof RunThrottled) return { throttled: error, store };
      // The database or Redis stayed unreachable through the retries: not the run's fault. The
      // worker puts the job back in the queue; the next pickup resumes from the durable steps.
      if (isTransientError(error)) throw new InfrastructureError(runId, error);
      deps.log?.warn({ runId, err: error }, "run crashed inside the engine");
      return { outcome: { status: "failed", error: { code: "internal", message: "The run stopped because of an internal error." }, usage: zeroUsage() } };
    }
  }

  async function lostOrCancelled(current: { status: string; leaseToken: number } | null): Promise<"cancelled"> {
    if (current?.status === "cancelled" && current.leaseToken === leaseToken) {
      // cancelRun wrote the status (the source of truth) and published the event; keep the tokens spent.
      await recordCancelledTotals(db, runId, leaseToken);
      return "cancelled";
    }
    deps.log?.warn({ runId, leaseToken }, "late write rejected: the run was taken over or finished elsewhere");
    throw new LeaseLostError(runId);
  }
}

/**
 * Gives a throttled run back: `queued` with its reason and retry time, no lease owner (the
 * worker delays the job itself). Fenced by the lease token like every write of the run.
 */
async function releaseThrottled(db: Db, runId: string, leaseToken: number, reason: string, delayMs: number): Promise<boolean> {
  const changed = await db.$executeRaw`
    UPDATE runs SET status = 'queued', "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
      "throttledReason" = ${reason}, "throttledUntil" = now() AT TIME ZONE 'UTC' + ${delayMs}::int * interval '1 millisecond'
    WHERE id = ${runId} AND "leaseToken" = ${leaseToken} AND status = 'running'`;
  return changed > 0;
}

type Totals = { promptTokens: number; completionTokens: number; totalTokens: number };

/** The run's status and lease token (retried: a read). */
function readStatus(db: Db, runId: string) {
  return retried(() => db.run.findUnique({ where: { id: runId }, select: { status: true, leaseToken: true } }));
}

async function stepTotals(db: Db, runId: string): Promise<Totals> {
  const totals = await retried(() =>
    db.runStep.aggregate({
      where: { runId },
      _sum: { promptTokens: true, completionTokens: true, totalTokens: true },
    }),
  );
  return {
    promptTokens: totals._sum.promptTokens ?? 0,
    completionTokens: totals._sum.completionTokens ?? 0,
    totalTokens: totals._sum.totalTokens ?? 0,
  };
}

/**
 * Parks a run whose every remaining step waits: status `waiting`, no lease owner, no job.
 * Refused (false) when the lease is gone or a wait of this run was resolved while its step still
 * waits, since then the run has work to do. The waits are share-locked first so that a resolver
 * whose transaction is in progress either commits before the check (and is seen) or after the
 * run is `waiting` (and re-queues it): no wake-up is lost in between.
 */
async function parkRun(db: Db, runId: string, leaseToken: number, totals: Totals): Promise<boolean> {
  return db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM run_waits WHERE "runId" = ${runId} FOR SHARE`;
    const changed = await tx.$executeRaw`
      UPDATE runs SET status = 'waiting', "leaseOwner" = NULL, "leaseExpiresAt" = NULL,
        "promptTokens" = ${totals.promptTokens}, "completionTokens" = ${totals.completionTokens}, "totalTokens" = ${totals.totalTokens}
      WHERE id = ${runId} AND "leaseToken" = ${leaseToken} AND status = 'running'
        AND NOT EXISTS (
          SELECT 1 FROM run_waits w
          JOIN run_steps s ON s."runId" = w."runId" AND s."nodeId" = w."nodeId" AND s.iteration = w.iteration
          WHERE w."runId" = ${runId} AND w.slot = '' AND w.status <> 'pending' AND s.status = 'waiting'
        )`;
    return changed > 0;
  });
}

/**
 * The instant the run deadline counts from: the first start, moved later by the time the run
 * spent on resolved waits (the union of their [created, answered] spans), so a decision taken
 * after a day does not fail the run as too slow. Pending-wait spans overlapping other branches'
 * work are excluded too, a deliberate approximation in the run's favour.
 */
async function deadlineClockStart(db: Db, runId: string, startedAt: Date | null): Promise<Date | undefined> {
  if (!startedAt) return undefined;
  const waits = await retried(() =>
    db.runWait.findMany({
      where: { runId, answeredAt: { not: null } },
      select: { createdAt: true, answeredAt: true },
      orderBy: { createdAt: "asc" },
    }),
  );
  let waited = 0;
  let coveredUntil = 0;
  for (const w of waits) {
    const from = Math.max(w.createdAt.getTime(), coveredUntil);
    const to = w.answeredAt!.getTime();
    if (to > from) waited += to - from;
    coveredUntil = Math.max(coveredUntil, to);
  }
  return new Date(startedAt.getTime() + waited);
}

/** A cancelled run still reports the tokens its steps spent (fenced: only the lease holder writes). */
async function recordCancelledTotals(db: Db, runId: string, leaseToken: number): Promise<void> {
  const totals = await stepTotals(db, runId);
  await retried(() => db.run.updateMany({ where: { id: runId, leaseToken, status: "cancelled" }, data: { ...totals, leaseOwner: null, leaseExpiresAt: null } }));
  await recordRunCost(db, runId);
}
