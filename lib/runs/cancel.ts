import type { Member } from "@/lib/auth/member";
import { hasRole } from "@/lib/auth/member";
import { db as defaultDb, type Db } from "@/lib/db/client";
import type { RunEvent } from "@/lib/engine/run-ports";
import { createRedis } from "@/lib/queue/redis";
import { ServiceError, forbidden, notFound } from "@/lib/services/errors";
import { publishControl } from "./control";
import { runChannel } from "./events";
import type { Redis } from "ioredis";

/** Statuses a run can be cancelled from. */
const CANCELLABLE = ["queued", "running", "waiting"] as const;

export interface CancelRunResult {
  runId: string;
  status: "cancelled";
  /** The status the run had when it was cancelled. */
  previousStatus: (typeof CANCELLABLE)[number];
}

const holder = globalThis as unknown as { __weftCancelRedis?: Redis };

/**
 * Cancels a run. The status written to PostgreSQL is the truth: a queued run never starts, and a
 * running one can no longer be finished by its worker (the final write is guarded by
 * `status = running`; the step store refuses to start another step). The control message makes
 * the worker abort in-flight model calls at once; the run event closes the editor's and SSE views.
 */
export async function cancelRun(member: Member, runId: string, deps: { db?: Db; redis?: Redis } = {}): Promise<CancelRunResult> {
  if (!hasRole(member.role, "editor")) throw forbidden("Viewers cannot cancel runs.");
  const db = deps.db ?? defaultDb();
  const run = await db.run.findFirst({ where: { id: runId, workspaceId: member.workspaceId }, select: { status: true } });
  if (!run) throw notFound("Run");

  const previousStatus = run.status;
  const finishedAt = new Date();
  // Compare-and-set on the status read above, so a run finishing at this very moment is reported, not overwritten.
  const written = (CANCELLABLE as readonly string[]).includes(previousStatus)
    ? await db.run.updateMany({
        where: { id: runId, status: previousStatus },
        data: { status: "cancelled", finishedAt, error: { code: "cancelled", message: `Cancelled by ${member.name || member.email}.` } },
      })
    : { count: 0 };
  if (written.count === 0) {
    const current = await db.run.findUniqueOrThrow({ where: { id: runId }, select: { status: true } });
    throw new ServiceError("conflict", `The run has already ${current.status === "cancelled" ? "been cancelled" : current.status}; only queued or running runs can be cancelled.`, {
      status: current.status,
    });
  }

  const redis = deps.redis ?? (holder.__weftCancelRedis ??= createRedis());
  // No error on the event: the editor shows a cancelled run as cancelled, not as a failure.
  const event: RunEvent = { type: "run", status: "cancelled", at: finishedAt.toISOString() };
  // Both are best effort: the worker also re-checks the status, and watchers re-read the snapshot.
  await Promise.allSettled([publishControl({ type: "cancel", runId }, redis), redis.publish(runChannel(runId), JSON.stringify(event))]);
  return { runId, status: "cancelled", previousStatus: previousStatus as CancelRunResult["previousStatus"] };
}
