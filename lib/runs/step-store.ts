import { poolOf, type Db } from "@/lib/db/client";
import type { ErrorInfo } from "@/lib/engine/errors";
import type { RunEvent, RunEventSink, StepBegin, StepFailure, StepRecord, StepSkip, StepStore, StepSuccess, StepWait, StepWaitState } from "@/lib/engine/run-ports";
import { Prisma } from "@/lib/generated/prisma/client";
import { retried } from "@/lib/db/retry";
import { beginStepRow, fenceFailure, finishStepRow, loadStepRows, writeStepRows, type StepRow } from "./step-sql";

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
const stepKey = (step: { nodeId: string; iteration: number }) => `${step.nodeId}:${step.iteration}`;
const tokens = (usage: StepSuccess["usage"]) => ({
  promptTokens: usage?.promptTokens ?? 0,
  completionTokens: usage?.completionTokens ?? 0,
  totalTokens: usage?.totalTokens ?? 0,
});

/**
 * How long a finished deferred step may stay in memory before it is written (and shown). A run
 * that ends sooner writes them with its end, in the same statement: at 15 ms, half the runs of a
 * model-free workflow under load (10 concurrent API calls) wrote a separate batch first.
 */
const FLUSH_AFTER_MS = 50;

/** How long a lazy step may run unrecorded; past it, its `running` row is written (and shown). */
export const LAZY_RUNNING_MS = 50;

export interface StepStoreOptions {
  /**
   * Node types whose steps may be written lazily: deterministic, quick, without side effects, never
   * waiting (Template, Condition…; an Answer streams its own text, which a second run repeats).
   * Their `running` row is never written, and their
   * finished rows are written in one batch before the next step that is not deferrable begins, at
   * the end of the run, or after FLUSH_AFTER_MS. Losing such a step in a crash only means computing
   * it again, which is harmless by definition. Default: none (every step written as it happens).
   */
  deferrable?: (nodeType: string) => boolean;
  /**
   * Node types without side effects that may take a while (the Code node): handled like deferrable
   * ones while they last under LAZY_RUNNING_MS; one still going then gets its `running` row (with
   * its true start) and its live status, and is finished like any other step. A crash before the
   * row is written costs only its computation, as for deferrable steps. Default: none.
   */
  lazy?: (nodeType: string) => boolean;
  /**
   * Where the engine's events go. Events wait behind deferred steps that are not yet written, so
   * a watcher never sees a step that PostgreSQL does not have (its snapshot would contradict it).
   */
  publish?: (event: RunEvent) => void;
  /** The run has never started and copied no steps: there is nothing to load. */
  fresh?: boolean;
}

export interface RunStepStore extends StepStore {
  /** The engine's event sink, ordered behind unwritten steps (see StepStoreOptions.publish). */
  events: RunEventSink;
  /**
   * Writes every deferred step and releases the events held behind them. `write` replaces the
   * batch insert (the run's final statement writes the batch with the outcome); it returns false
   * when the lease fenced it out. Throws LeaseLostError or RunCancelledError when fenced out.
   */
  flush(write?: (rows: StepRow[]) => Promise<boolean>): Promise<void>;
  /** Whether any step of this run has waited (so finishing it must close its open waits). */
  hasWaits(): boolean;
}

/**
 * The engine's StepStore over PostgreSQL. Every write is fenced by the run's lease token:
 * it only lands while this worker still holds the run, so a stalled worker that wakes up
 * late cannot overwrite what its successor did. Plain parameterised SQL on the hot path
 * (step-sql.ts); deferrable steps are batched (StepStoreOptions.deferrable).
 */
export function createStepStore(db: Db, runId: string, leaseToken: number, options: StepStoreOptions = {}): RunStepStore {
  const pool = poolOf(db);
  const fence = { runId, run: { leaseToken } } satisfies Prisma.RunStepWhereInput;
  const deferrable = options.deferrable ?? (() => false);
  const lazy = options.lazy ?? (() => false);
  const publish = options.publish ?? (() => undefined);

  /** Attempts already recorded, so a deferred step re-executed after a crash counts on. */
  const attempts = new Map<string, number>();
  /** Deferred steps begun and not yet written: their begin time and attempt. */
  const begun = new Map<string, { startedAt: Date; attempt: number }>();
  let buffer: StepRow[] = [];
  let held: RunEvent[] = [];
  let flushing: Promise<void> = Promise.resolve();
  let flushInProgress = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let failure: unknown;
  let waited = false;
  /** Lazy steps begun and not yet finished: the timer that writes their `running` row. */
  const lazyTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** The `running` event of a lazy step, published only if its row gets written. */
  const lazyRunning = new Map<string, RunEvent>();
  /** Writes of lazy steps' `running` rows, awaited before the step's end is written. */
  const promotions = new Map<string, Promise<void>>();

  async function fencedOut(): Promise<never> {
    throw (await fenceFailure(pool, runId, leaseToken)) === "cancelled" ? new RunCancelledError(runId) : new LeaseLostError(runId);
  }

  function releaseHeld() {
    // Held events belong to written steps or to steps written first anyway (not deferrable).
    if (buffer.length > 0 || flushInProgress) return;
    const events = held;
    held = [];
    for (const event of events) publish(event);
  }

  function flush(write?: (rows: StepRow[]) => Promise<boolean>): Promise<void> {
    clearTimeout(timer);
    timer = undefined;
    flushing = flushing.then(async () => {
      if (failure) throw failure;
      if (buffer.length === 0 && !write) return releaseHeld();
      const rows = buffer;
      const events = held;
      buffer = [];
      held = [];
      flushInProgress = true;
      try {
        // Only deferrable and lazy steps are written here: ones that may be computed again (lib/db/unflushed.ts).
        const written = write ? await write(rows) : (await writeStepRows(pool, runId, leaseToken, rows, { flush: false })) > 0;
        if (!written) await fencedOut();
      } catch (error) {
        failure = error;
        throw error;
      } finally {
        flushInProgress = false;
      }
      for (const event of events) publish(event);
      releaseHeld();
    });
    return flushing;
  }

  function defer(row: StepRow) {
    buffer.push(row);
    timer ??= setTimeout(() => void flush().catch(() => undefined), FLUSH_AFTER_MS);
  }

  const events: RunEventSink = {
    publish(event) {
      // A deferred step's `running` is never written, so it is never shown either (a lazy one's
      // only once its row is, see promote()).
      if (event.type === "step" && event.status === "running" && begun.has(stepKey(event))) {
        if (lazyTimers.has(stepKey(event))) lazyRunning.set(stepKey(event), event);
        return;
      }
      if (buffer.length > 0 || flushInProgress || held.length > 0) held.push(event);
      else publish(event);
    },
  };

  /** The next attempt of a deferred step, remembered until its row is written. */
  function beginDeferred(step: StepBegin) {
    const key = stepKey(step);
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    begun.set(key, { startedAt: new Date(), attempt });
    return { attempt };
  }

  function finishDeferred(step: StepSuccess | StepFailure, status: "succeeded" | "failed", nodeType: string) {
    const key = stepKey(step);
    const began = begun.get(key)!;
    begun.delete(key);
    defer({
      nodeId: step.nodeId,
      nodeType,
      iteration: step.iteration,
      status,
      input: step.input,
      output: "output" in step ? step.output : undefined,
      error: step.error,
      detail: step.detail,
      branch: "branch" in step ? step.branch : undefined,
      attempt: began.attempt,
      ...tokens(step.usage),
      startedAt: began.startedAt,
      finishedAt: new Date(),
    });
  }
  const deferredTypes = new Map<string, string>();

  /** A lazy step still going: its `running` row (true start, known attempt) goes out with the buffered batch. */
  function promote(step: StepBegin) {
    const key = stepKey(step);
    lazyTimers.delete(key);
    const began = begun.get(key);
    const nodeType = deferredTypes.get(key);
    if (!began || !nodeType) return;
    begun.delete(key);
    deferredTypes.delete(key);
    buffer.push({ nodeId: step.nodeId, nodeType, iteration: step.iteration, status: "running", attempt: began.attempt, ...tokens(undefined), startedAt: began.startedAt, finishedAt: null });
    const running = lazyRunning.get(key);
    lazyRunning.delete(key);
    const written = flush().then(() => {
      if (running) events.publish(running);
    });
    // A failed write is kept in `failure` and thrown by the step's end (see settleLazy).
    written.catch(() => undefined);
    promotions.set(key, written);
  }

  /** Before a lazy step's end is recorded: stop its timer, or wait for its `running` row. */
  async function settleLazy(step: { nodeId: string; iteration: number }) {
    const key = stepKey(step);
    clearTimeout(lazyTimers.get(key));
    lazyTimers.delete(key);
    lazyRunning.delete(key);
    const promotion = promotions.get(key);
    if (!promotion) return;
    promotions.delete(key);
    await promotion;
  }

  return {
    events,
    flush,
    hasWaits: () => waited,

    async loadSteps(): Promise<StepRecord[]> {
      if (options.fresh) return [];
      const rows = await loadStepRows(pool, runId);
      return rows.map((row) => {
        attempts.set(stepKey(row), row.attempt);
        if (row.status === "waiting" || row.wait_status) waited = true;
        let wait: StepWaitState | null = null;
        if (row.wait_status === "pending") wait = { status: "pending" };
        else if (row.wait_status) {
          wait = { status: row.wait_status, response: row.wait_response ?? null, answeredBy: row.wait_answered_by, at: (row.wait_answered_at ?? new Date()).toISOString() };
        }
        return {
          nodeId: row.nodeId,
          iteration: row.iteration,
          nodeType: row.nodeType,
          status: row.status,
          output: row.output ?? null,
          branch: row.branch,
          error: (row.error as ErrorInfo | null) ?? null,
          attempt: row.attempt,
          ...(row.status === "waiting" ? { wait } : {}),
        };
      });
    },

    async waitStep(step: StepWait) {
      await flush();
      waited = true;
      // One transaction: a step is never `waiting` without its pending wait, nor the other way round.
      // Retried whole on a transient fault: both writes set absolute values.
      await retried(() => db.$transaction(async (tx) => {
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
          where: { runId_nodeId_iteration_slot: { runId, nodeId: step.nodeId, iteration: step.iteration, slot: "" } },
          create: { ...wait, workspaceId, runId, nodeId: step.nodeId, iteration: step.iteration },
          // The same step waiting again (a resumed node asked anew): a fresh pending wait.
          update: { ...wait, createdAt: new Date() },
        });
      }));
    },

    async beginStep(step: StepBegin) {
      if (failure) throw failure;
      if (deferrable(step.nodeType)) {
        deferredTypes.set(stepKey(step), step.nodeType);
        return beginDeferred(step);
      }
      if (lazy(step.nodeType)) {
        deferredTypes.set(stepKey(step), step.nodeType);
        const begun = beginDeferred(step);
        lazyTimers.set(stepKey(step), setTimeout(() => promote(step), LAZY_RUNNING_MS));
        return begun;
      }
      // Rows are written in the order steps began: the deferred steps still buffered go first, in
      // the same statement as this step's `running` row (a fenced-out write throws from flush).
      const expected = (attempts.get(stepKey(step)) ?? 0) + 1;
      let attempt: number | null = null;
      await flush(async (rows) => {
        attempt = await beginStepRow(pool, runId, leaseToken, step, expected, rows);
        return attempt !== null;
      });
      attempts.set(stepKey(step), attempt!);
      return { attempt: attempt! };
    },

    async completeStep(step: StepSuccess) {
      await settleLazy(step);
      const type = deferredTypes.get(stepKey(step));
      if (type && begun.has(stepKey(step))) return finishDeferred(step, "succeeded", type);
      const written = await finishStepRow(pool, runId, leaseToken, {
        nodeId: step.nodeId,
        iteration: step.iteration,
        status: "succeeded",
        input: step.input,
        output: step.output,
        // A failure handled by the node's On error setting stays visible on the succeeded step.
        error: step.error,
        detail: step.detail,
        branch: step.branch ?? null,
        ...tokens(step.usage),
      });
      if (!written) throw new LeaseLostError(runId);
    },

    async failStep(step: StepFailure) {
      await settleLazy(step);
      const type = deferredTypes.get(stepKey(step));
      if (type && begun.has(stepKey(step))) {
        finishDeferred(step, "failed", type);
        return flush();
      }
      const written = await finishStepRow(pool, runId, leaseToken, {
        nodeId: step.nodeId,
        iteration: step.iteration,
        status: "failed",
        input: step.input,
        error: step.error,
        detail: step.detail,
        ...tokens(step.usage),
      });
      if (!written) throw new LeaseLostError(runId);
    },

    async skipStep(step: StepSkip) {
      if (failure) throw failure;
      // Skips are bookkeeping of the scheduler: always deferrable.
      const now = new Date();
      defer({ nodeId: step.nodeId, nodeType: step.nodeType, iteration: step.iteration, status: "skipped", detail: step.detail, attempt: attempts.get(stepKey(step)) ?? 1, ...tokens(undefined), startedAt: now, finishedAt: now });
    },
  };
}
