import { db } from "@/lib/db/client";
import type { Prisma } from "@/lib/generated/prisma/client";

/** A pending approval or question of a chat turn's run, as the chat page shows it (a form or buttons). */
export interface ChatWait {
  id: string;
  nodeId: string;
  kind: "approval" | "question";
  request: unknown;
}

const PENDING: Prisma.RunWaitWhereInput = { status: "pending", kind: { in: ["approval", "question"] } };

/** The pending approvals and questions of these runs (what the chat shows as forms), by run id. */
export async function pendingWaitsOfRuns(runIds: string[]): Promise<Map<string, ChatWait[]>> {
  const byRun = new Map<string, ChatWait[]>();
  if (runIds.length === 0) return byRun;
  const rows = await db().runWait.findMany({
    where: { runId: { in: runIds }, ...PENDING },
    orderBy: [{ createdAt: "asc" }, { nodeId: "asc" }],
    select: { id: true, runId: true, nodeId: true, kind: true, request: true },
  });
  for (const { runId, ...wait } of rows) byRun.set(runId, [...(byRun.get(runId) ?? []), { ...wait, kind: wait.kind as ChatWait["kind"] }]);
  return byRun;
}
