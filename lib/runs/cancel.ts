import type { ApiCaller } from "@/lib/api-keys/authenticate";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db as defaultDb, type Db } from "@/lib/db/client";
import type { ErrorInfo } from "@/lib/engine/errors";
import type { RunEvent } from "@/lib/engine/run-ports";
import { createRedis } from "@/lib/queue/redis";
import { ServiceError, forbidden, notFound } from "@/lib/services/errors";
import { auditRun } from "./audit";
import { publishControl } from "./control";
import { runChannel, runEndMessage, runEndsChannel } from "./events";
import { notifyParent } from "./subworkflows";
import { retried } from "@/lib/db/retry";
import type { Redis } from "ioredis";

/** Statuses a run can be cancelled from. */
const CANCELLABLE = ["queued", "running", "waiting"] as const;

export interface CancelRunResult {
  runId: string;
  status: "cancelled";
  /** The status the run had when it was cancelled. */
  previousStatus: (typeof CANCELLABLE)[number];
}

interface CancelDeps {
  db?: Db;
  redis?: Redis;
}

/** Far above any sub-workflow nesting the engine allows. */
const MAX_CASCADE_DEPTH = 64;

const holder = globalThis as unknown as { __weftCancelRedis?: Redis };

/**
 * Cancels a run. The status written to PostgreSQL is the truth: a queued run never starts, and a
 * running one can no longer be finished by its worker (the final write is guarded by
 * `status = running`; the step store refuses to start another step). The control message makes
 * the worker abort in-flight model calls at once; the run event closes the editor's and SSE views.
 * A waiting run holds no worker: its open waits are cancelled and its waiting steps fail as
 * cancelled. Child runs of sub-workflows (`parentRunId`) are cancelled with it.
 */
export async function cancelRun(member: Member, runId: string, deps: CancelDeps = {}): Promise<CancelRunResult> {
  requirePermission(member, "run.cancel");
  const result = await cancelInWorkspace(member.workspaceId, runId, member.name || member.email, deps);
  await auditRun(member, "run.cancelled", { id: runId }, { previousStatus: result.previousStatus });
  return result;
}

/**
 * Cancels a run its caller started themselves without a role check: a chat user stopping their own
 * answer (lib/chat/turns.ts checks the run belongs to their conversation).
 */
export async function cancelOwnRun(member: Member, runId: string, deps: CancelDeps = {}): Promise<CancelRunResult> {
  const result = await cancelInWorkspace(member.workspaceId, runId, member.name || member.email, deps);
  await auditRun(member, "run.cancelled", { id: runId }, { previousStatus: result.previousStatus });
  return result;
}

/** The same for a public API caller (authorized by its `runs:write` scope; another workspace's run is 404). */
export async function cancelRunForApi(caller: ApiCaller, runId: string, deps: CancelDeps = {}): Promise<CancelRunResult> {
  const result = await cancelInWorkspace(caller.workspaceId, runId, caller.member.name, deps);
  await auditRun(caller.member, "run.cancelled", { id: runId }, { previousStatus: result.previousStatus });
  return result;
}

async function cancelInWorkspace(workspaceId: string, runId: string, by: string, deps: CancelDeps): Promise<CancelRunResult> {
  const db = deps.db ?? defaultDb();
  const run = await db.run.findFirst({ where: { id: runId, workspaceId }, select: { status: true } });
  if (!run) throw notFound("Run");
  const previousStatus = run.status;
  const cancelled = (CANCELLABLE as readonly string[]).includes(previousStatus) && (await cancelOne(db, runId, previousStatus, `Cancelled by ${by}.`, deps, 0));
  if (!cancelled) {
    const current = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
    throw new ServiceError("conflict", `The run has already ${current.status === "cancelled" ? "been cancelled" : current.status}; only queued, running or waiting runs can be cancelled.`, {
      status: current.status,
    });
  }
  // A sub-workflow's child cancelled on its own: its parent's step fails instead of waiting for ever.
  await notifyParent(db, runId).catch(() => undefined);
  return { runId, status: "cancelled", previousStatus: previousStatus as CancelRunResult["previousStatus"] };
}

/**
 * In one transaction: the compare-and-set of the status, the run's open waits (nobody may answer
 * them any more; the Inbox drops them) and its unfinished steps. A step still `waiting` or
 * `running` fails as cancelled, so a cancelled run never shows a step in progress even when no
 * worker is left to close it (the worker holding a running step may still write its own ending,
 * which its lease allows). The closed steps, or null when the status had changed meanwhile.
 */
async function closeRun(db: Db, runId: string, fromStatus: string, error: ErrorInfo, finishedAt: Date) {
  return retried(() =>
    db.$transaction(async (tx) => {
      const written = await tx.run.updateMany({
        where: { id: runId, status: fromStatus as (typeof CANCELLABLE)[number] },
        data: { status: "cancelled", finishedAt, error: { ...error } },
      });
      if (written.count === 0) return null;
      await tx.runWait.updateMany({ where: { runId, status: "pending" }, data: { status: "cancelled", answeredAt: finishedAt } });
      const open = await tx.runStep.findMany({ where: { runId, status: { in: ["waiting", "running"] } }, select: { nodeId: true, iteration: true } });
      if (open.length) await tx.runStep.updateMany({ where: { runId, status: { in: ["waiting", "running"] } }, data: { status: "failed", error: { ...error }, finishedAt } });
      return open;
    }),
  );
}

/**
 * Compare-and-set on the status read before, so a run finishing at this very moment is reported,
 * not overwritten (with its waits and unfinished steps, closeRun); then the events and the child
 * runs. False when the status had changed meanwhile.
 */
async function cancelOne(db: Db, runId: string, fromStatus: string, message: string, deps: CancelDeps, depth: number): Promise<boolean> {
  const finishedAt = new Date();
  const error: ErrorInfo = { code: "cancelled", message };
  const closed = await closeRun(db, runId, fromStatus, error, finishedAt);
  if (!closed) return false;

  const redis = deps.redis ?? (holder.__weftCancelRedis ??= createRedis());
  const at = finishedAt.toISOString();
  const events: RunEvent[] = [
    ...closed.map((s): RunEvent => ({ type: "step", nodeId: s.nodeId, iteration: s.iteration, status: "failed", error, at })),
    // No error on the run event: the editor shows a cancelled run as cancelled, not as a failure.
    { type: "run", status: "cancelled", at },
  ];
  // Best effort: the worker also re-checks the status, and watchers re-read the snapshot.
  await Promise.allSettled([
    publishControl({ type: "cancel", runId }, redis),
    ...events.map((e) => redis.publish(runChannel(runId), JSON.stringify(e))),
    redis.publish(runEndsChannel(), runEndMessage(runId, "cancelled")),
  ]);

  // Sub-workflow children die with their parent (nesting is bounded; the guard also stops a corrupt cycle).
  if (depth < MAX_CASCADE_DEPTH) {
    const children = await db.run.findMany({ where: { parentRunId: runId, status: { in: [...CANCELLABLE] } }, select: { id: true, status: true } });
    for (const child of children) await cancelOne(db, child.id, child.status, "Cancelled with its parent run.", deps, depth + 1);
  }
  return true;
}
