import { randomUUID } from "node:crypto";
import { ROLES, type Member } from "@/lib/auth/member";
import { startPublishedRunAs } from "@/lib/api/workflows";
import { db, poolOf } from "@/lib/db/client";
import type { RunOrigin } from "@/lib/runs/initiator";

/**
 * What webhooks and schedules share: the member a trigger acts as (its creator, with their role
 * now) and an idempotent start (one run per trigger and key, enforced by the unique index on
 * runs (triggerRefId, triggerKey), so two workers or two retries racing start one run).
 */

/** The creator's current membership in the workspace, or null when they left (the trigger then does nothing). */
export async function triggerMember(workspaceId: string, userId: string | null): Promise<Member | null> {
  if (!userId) return null;
  const row = await db().membership.findUnique({
    where: { workspaceId_userId: { workspaceId, userId } },
    select: { role: true, user: { select: { id: true, email: true, name: true } }, workspace: { select: { id: true, name: true } } },
  });
  if (!row) return null;
  return creatorMember({ role: row.role, userId: row.user.id, email: row.user.email, name: row.user.name, workspaceId: row.workspace.id, workspaceName: row.workspace.name });
}

/** A trigger's creator as the member its runs act as, or null for a role Weft no longer knows. */
export function creatorMember(row: { role: string; userId: string; email: string; name: string; workspaceId: string; workspaceName: string }): Member | null {
  const role = ROLES.find((known) => known === row.role);
  if (!role) return null;
  return { userId: row.userId, email: row.email, name: row.name, workspaceId: row.workspaceId, workspaceName: row.workspaceName, role };
}

const UNIQUE_VIOLATION = "23505";
const isDuplicateKey = (error: unknown) =>
  typeof error === "object" && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION && String((error as { constraint?: unknown }).constraint ?? "").includes("triggerKey");

const FIND_BY_KEY = `SELECT id FROM runs WHERE "triggerRefId" = $1 AND "triggerKey" = $2`;

export interface TriggeredRun {
  runId: string;
  /** True when a run with this key already existed (nothing new was started). */
  existing: boolean;
}

/**
 * Starts a run of the workflow's latest published version, at most once per `origin.triggerKey`
 * (when there is one). `runId` may be chosen by the caller (to watch the run before it exists).
 * `answersAfterEnd`: the caller answers once the run has ended (createAndEnqueueRun's option).
 */
export async function startTriggeredRun(
  member: Member,
  workflowId: string,
  inputs: Record<string, unknown>,
  origin: RunOrigin & { triggerRefId: string },
  runId: string = randomUUID(),
  options: { answersAfterEnd?: boolean } = {},
): Promise<TriggeredRun> {
  if (origin.triggerKey) {
    const found = await poolOf(db()).query(FIND_BY_KEY, [origin.triggerRefId, origin.triggerKey]);
    if (found.rows[0]) return { runId: String(found.rows[0].id), existing: true };
  }
  try {
    await startPublishedRunAs(member, workflowId, inputs, origin, { runId, answersAfterEnd: options.answersAfterEnd });
    return { runId, existing: false };
  } catch (error) {
    if (!origin.triggerKey || !isDuplicateKey(error)) throw error;
    // Another request with the same key won the race between the read above and the insert.
    const found = await poolOf(db()).query(FIND_BY_KEY, [origin.triggerRefId, origin.triggerKey]);
    if (!found.rows[0]) throw error;
    return { runId: String(found.rows[0].id), existing: true };
  }
}
