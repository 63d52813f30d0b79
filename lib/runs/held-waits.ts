import type { Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import type { HeldWaitPort, HeldWaitRequest } from "@/lib/engine/ports";
import { Prisma } from "@/lib/generated/prisma/client";
import { ServiceError } from "@/lib/services/errors";
import { resolveWait } from "./waits";

/**
 * Waits held open inside a running step. A step's own wait parks the run and releases its worker
 * (waits.ts); that cannot serve a request that arrives in the middle of something that must stay
 * open: an MCP server's `elicitation/create` during a tool call (the call and its session live in
 * this process), or an Agent's tool approval (the model loop lives in memory). So the step keeps
 * running and its worker keeps the lease, while a RunWait row in the step's own slot asks the
 * person: the Inbox and the run page list it, the answer routes accept it, and `resolveWait` does
 * not re-queue a run that is `running`. This side polls the row until it is resolved, times out
 * (resolved here as `timed_out`, compare-and-set like the sweeper), or the step is aborted.
 */

const POLL_MS = 250;

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

async function open(db: Db, workspaceId: string, request: HeldWaitRequest): Promise<string> {
  const { runId, nodeId, iteration, slot } = request.step;
  const data = {
    kind: request.kind,
    status: "pending" as const,
    request: request.request as Prisma.InputJsonValue,
    response: Prisma.DbNull,
    timeoutAt: new Date(Date.now() + request.timeoutMs),
    answeredById: null,
    answeredAt: null,
  };
  // A re-executed step asks again in the same slot: a fresh pending wait.
  const row = await db.runWait.upsert({
    where: { runId_nodeId_iteration_slot: { runId, nodeId, iteration, slot } },
    create: { ...data, workspaceId, runId, nodeId, iteration, slot },
    update: { ...data, createdAt: new Date() },
    select: { id: true },
  });
  return row.id;
}

export function createHeldWaitPort(db: Db, workspaceId: string): HeldWaitPort {
  return {
    async hold(request) {
      if (!request.step.slot) throw new NodeError("internal", "A held wait needs a slot of its own.");
      const id = await open(db, workspaceId, request);
      const deadline = Date.now() + request.timeoutMs;
      for (;;) {
        const row = await db.runWait.findUniqueOrThrow({ where: { id }, select: { status: true, response: true, answeredAt: true } });
        if (row.status !== "pending") return { status: row.status, response: row.response, at: (row.answeredAt ?? new Date()).toISOString() };
        if (request.signal.aborted) {
          await db.runWait.updateMany({ where: { id, status: "pending" }, data: { status: "cancelled", answeredAt: new Date() } });
          throw new NodeError("cancelled", "The step was cancelled while it waited for a person.");
        }
        if (Date.now() >= deadline) {
          try {
            await resolveWait({ id }, { status: "timed_out", response: null }, { db });
          } catch (error) {
            // Answered a moment ago: read it on the next turn.
            if (!(error instanceof ServiceError)) throw error;
          }
          continue;
        }
        await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())), request.signal);
      }
    },
  };
}
