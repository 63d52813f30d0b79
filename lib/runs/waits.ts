import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { z } from "zod";
import type { ApiCaller } from "@/lib/api-keys/authenticate";
import { hasRole, type Member, type Role } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db as defaultDb, type Db } from "@/lib/db/client";
import type { RunEvent } from "@/lib/engine/run-ports";
import { Prisma } from "@/lib/generated/prisma/client";
import { ApprovalAnswerSchema, ApprovalRequestSchema } from "@/lib/nodes/approval/definition";
import { QuestionRequestSchema, questionAnswerSchema } from "@/lib/nodes/question/definition";
import { AnswererSchema, type Answerer, type StoredAnswer } from "@/lib/nodes/wait-kit";
import { createRedis } from "@/lib/queue/redis";
import { enqueueRun, runsQueue, type RunJob } from "@/lib/queue/runs-queue";
import { ServiceError, forbidden, notFound } from "@/lib/services/errors";
import { auditRun } from "./audit";
import { runChannel } from "./events";

/**
 * Waits: a step that waits for a person (approval, question) or a child run (sub-workflow).
 * A waiting run holds no job and no worker; resolving a wait records the response in PostgreSQL
 * and re-enqueues the run, whose worker then executes the step again with the response.
 */

export type WaitStatusValue = "pending" | "answered" | "timed_out" | "cancelled";
export type WaitKindValue = "approval" | "question" | "subworkflow";

/** Who answers: a signed-in member (editor or above) or an API key with the `waits:answer` scope. */
export type WaitActor = { kind: "member"; member: Member } | { kind: "api_key"; caller: ApiCaller };

/** A wait by its id, or by its step (run, node, iteration). */
export type WaitKey = { id: string } | { runId: string; nodeId: string; iteration: number };

export interface WaitDeps {
  db?: Db;
  queue?: Queue<RunJob>;
  redis?: Redis;
}

const holder = globalThis as unknown as { __weftWaitsRedis?: Redis };
const publisherOf = (deps: WaitDeps) => deps.redis ?? (holder.__weftWaitsRedis ??= createRedis());

const keyWhere = (key: WaitKey): Prisma.RunWaitWhereInput =>
  "id" in key ? { id: key.id } : { runId: key.runId, nodeId: key.nodeId, iteration: key.iteration };

export interface ResolveWaitResult {
  waitId: string;
  runId: string;
  /** Whether this call moved the run from waiting to queued (and enqueued it). */
  requeued: boolean;
}

/**
 * Resolves a pending wait: one transaction records the response (compare-and-set on
 * `status = 'pending'`, so a second answer is a 409 `conflict`) and moves a `waiting` run to
 * `queued`; then the run is enqueued (job id = run id) and a `queued` run event is published.
 * A run still `running` (another branch in flight) is not touched: its worker sees the resolved
 * wait when it tries to park the run and processes it again. If the enqueue fails, the run is
 * `queued` in PostgreSQL and the reconciler enqueues it.
 */
export async function resolveWait(
  key: WaitKey,
  resolution: { status: Exclude<WaitStatusValue, "pending">; response: unknown; answeredById?: string | null },
  deps: WaitDeps = {},
): Promise<ResolveWaitResult> {
  const db = deps.db ?? defaultDb();
  const answeredAt = new Date();
  const outcome = await db.$transaction(async (tx) => {
    const wait = await tx.runWait.findFirst({ where: keyWhere(key), select: { id: true, runId: true, status: true } });
    if (!wait) throw notFound("Wait");
    const written = await tx.runWait.updateMany({
      where: { id: wait.id, status: "pending" },
      data: {
        status: resolution.status,
        response: resolution.response === undefined || resolution.response === null ? Prisma.DbNull : (resolution.response as Prisma.InputJsonValue),
        answeredById: resolution.answeredById ?? null,
        answeredAt,
      },
    });
    if (written.count === 0) {
      const current = await tx.runWait.findUniqueOrThrow({ where: { id: wait.id }, select: { status: true } });
      throw alreadyResolved(current.status);
    }
    const requeued = await tx.run.updateMany({ where: { id: wait.runId, status: "waiting" }, data: { status: "queued", leaseOwner: null } });
    return { waitId: wait.id, runId: wait.runId, requeued: requeued.count > 0 };
  });
  if (outcome.requeued) await requeueRun(outcome.runId, deps);
  return outcome;
}

/** Enqueues a run that was just moved to `queued` and tells its watchers (both best effort: PostgreSQL holds the truth). */
export async function requeueRun(runId: string, deps: WaitDeps = {}): Promise<void> {
  const event: RunEvent = { type: "run", status: "queued", at: new Date().toISOString() };
  await Promise.allSettled([enqueueRun(runId, deps.queue ?? runsQueue()), publisherOf(deps).publish(runChannel(runId), JSON.stringify(event))]);
}

export function alreadyResolved(status: string): ServiceError {
  const said: Record<string, string> = {
    answered: "This wait has already been answered.",
    timed_out: "This wait has already timed out.",
    cancelled: "This wait was cancelled (the run was cancelled or ended).",
  };
  return new ServiceError("conflict", said[status] ?? `This wait is ${status}.`, { status });
}

/** The answerer as stored with the answer and shown as `decidedBy` / `answeredBy`. */
function answererOf(actor: WaitActor): Answerer {
  if (actor.kind === "member") return { kind: "user", id: actor.member.userId, name: actor.member.name || actor.member.email };
  return { kind: "api_key", id: actor.caller.keyId, name: actor.caller.member.name };
}

const workspaceOf = (actor: WaitActor) => (actor.kind === "member" ? actor.member.workspaceId : actor.caller.workspaceId);

/**
 * The role an answer is made with: the member's own, or for an API key the current role of the
 * member who created it (resolved with the key by authenticateApiKey; a key never decides more
 * than its creator could, and a key whose creator left the workspace is disabled).
 */
const roleOf = (actor: WaitActor): Role => (actor.kind === "member" ? actor.member.role : actor.caller.member.role);

/** Validates an answer against what the wait asked; 400 `invalid_input` with field issues when it does not fit. */
export function validateAnswer(kind: WaitKindValue, request: unknown, body: unknown): Record<string, unknown> {
  let schema: z.ZodType<Record<string, unknown>>;
  if (kind === "approval") schema = ApprovalAnswerSchema;
  else if (kind === "question") {
    const parsed = QuestionRequestSchema.safeParse(request);
    if (!parsed.success) throw new ServiceError("conflict", "This question's request cannot be read; it cannot be answered.");
    schema = questionAnswerSchema(parsed.data.fields);
  } else throw new ServiceError("conflict", "A sub-workflow wait is resolved by its child run, not answered.");
  const checked = schema.safeParse(body);
  if (!checked.success) {
    throw new ServiceError("invalid_input", kind === "approval" ? "The decision is invalid." : "The answer does not fit the question's fields.", {
      issues: checked.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })),
    });
  }
  return checked.data;
}

export interface AnswerResult extends ResolveWaitResult {
  status: "answered";
  response: StoredAnswer;
}

/**
 * A person's (or an API key's) answer to a pending approval or question of a run in the actor's
 * workspace. 404 for another workspace's run or an unknown wait, 403 for viewers or below the
 * approval's assignee role, 409 when it is no longer pending or the run has finished, 400 when
 * the answer does not fit the request.
 */
export async function answerWait(actor: WaitActor, runId: string, ref: { waitId: string } | { nodeId: string; iteration?: number }, body: unknown, deps: WaitDeps = {}): Promise<AnswerResult> {
  const db = deps.db ?? defaultDb();
  // API keys were checked against wait.answer (scope and creator's role) by withApiKey.
  if (actor.kind === "member") requirePermission(actor.member, "wait.answer");
  const where: Prisma.RunWaitWhereInput =
    "waitId" in ref ? { id: ref.waitId, runId } : { runId, nodeId: ref.nodeId, iteration: ref.iteration ?? 0 };
  const wait = await db.runWait.findFirst({
    where: { ...where, workspaceId: workspaceOf(actor) },
    // By node: a step may also hold waits in slots of its own (held-waits.ts); the pending one, the latest, is meant.
    orderBy: [{ status: "asc" }, { createdAt: "desc" }],
    select: { id: true, kind: true, status: true, request: true, run: { select: { status: true } } },
  });
  if (!wait) throw notFound("Wait");
  if (wait.status !== "pending") throw alreadyResolved(wait.status);
  if (!["waiting", "running", "queued"].includes(wait.run.status)) {
    throw new ServiceError("conflict", `The run has already ${wait.run.status === "cancelled" ? "been cancelled" : wait.run.status}; it waits for nothing.`, { status: wait.run.status });
  }
  const answer = validateAnswer(wait.kind, wait.request, body);
  if (wait.kind === "approval") {
    const required = ApprovalRequestSchema.safeParse(wait.request).data?.assigneeRole ?? null;
    const role = roleOf(actor);
    if (required && !hasRole(role, required)) throw forbidden(`Only a member with the ${required} role or higher may decide this approval.`);
  }
  const by = answererOf(actor);
  const response: StoredAnswer = { answer, by };
  const resolved = await resolveWait({ id: wait.id }, { status: "answered", response, answeredById: by.id }, deps);
  // The decision, never a question's typed answers (they may hold anything a person wrote).
  const decision = wait.kind === "approval" ? String((answer as { decision?: unknown }).decision) : null;
  await auditRun(actor.kind === "member" ? actor.member : actor.caller.member, `${wait.kind}.answered`, { id: runId }, { waitId: wait.id, decision });
  return { ...resolved, status: "answered", response };
}

/** What the answer endpoints return (the public API's AnswerWaitResult). */
export function answerView(result: AnswerResult) {
  return { waitId: result.waitId, runId: result.runId, status: result.status, requeued: result.requeued, answer: result.response.answer, answeredBy: result.response.by };
}

export interface WaitView {
  id: string;
  runId: string;
  nodeId: string;
  iteration: number;
  kind: WaitKindValue;
  status: WaitStatusValue;
  request: unknown;
  /** The answer fields (approval: decision and comment) once answered. */
  answer: Record<string, unknown> | null;
  answeredBy: Answerer | null;
  answeredAt: string | null;
  timeoutAt: string | null;
  createdAt: string;
  childRunId: string | null;
}

export interface InboxItem extends WaitView {
  workflowId: string | null;
  workflowName: string;
  runStatus: string;
}

export const waitSelect = {
  id: true,
  runId: true,
  nodeId: true,
  iteration: true,
  kind: true,
  status: true,
  request: true,
  response: true,
  answeredAt: true,
  timeoutAt: true,
  createdAt: true,
  childRunId: true,
} satisfies Prisma.RunWaitSelect;

export type WaitRow = Prisma.RunWaitGetPayload<{ select: typeof waitSelect }>;

export function toWaitView(row: WaitRow): WaitView {
  const response = row.response as { answer?: unknown; by?: unknown } | null;
  const by = AnswererSchema.safeParse(response?.by);
  const answer = response && typeof response.answer === "object" && response.answer !== null ? (response.answer as Record<string, unknown>) : null;
  return {
    id: row.id,
    runId: row.runId,
    nodeId: row.nodeId,
    iteration: row.iteration,
    kind: row.kind,
    status: row.status,
    request: row.request,
    answer: row.kind === "subworkflow" ? null : answer,
    answeredBy: by.success ? by.data : null,
    answeredAt: row.answeredAt?.toISOString() ?? null,
    timeoutAt: row.timeoutAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    childRunId: row.childRunId,
  };
}

export const pendingFirst = (views: WaitView[]): WaitView[] => [...views.filter((w) => w.status === "pending"), ...views.filter((w) => w.status !== "pending")];

/** Every wait of a run (pending first, then by time), or null when the run is not in the workspace. */
export async function listRunWaits(workspaceId: string, runId: string, deps: { db?: Db } = {}): Promise<WaitView[] | null> {
  const db = deps.db ?? defaultDb();
  const run = await db.run.findFirst({
    where: { id: runId, workspaceId },
    select: { waits: { select: waitSelect, orderBy: [{ createdAt: "asc" }, { nodeId: "asc" }, { iteration: "asc" }] } },
  });
  if (!run) return null;
  return pendingFirst(run.waits.map(toWaitView));
}

/** The workspace's open approvals and questions (oldest first): what the Inbox lists. */
export async function listPendingWaits(member: Member, options: { limit?: number; deps?: { db?: Db } } = {}): Promise<InboxItem[]> {
  const db = options.deps?.db ?? defaultDb();
  const rows = await db.runWait.findMany({
    where: {
      workspaceId: member.workspaceId,
      status: "pending",
      kind: { in: ["approval", "question"] },
      run: { status: { in: ["waiting", "running", "queued"] } },
    },
    orderBy: { createdAt: "asc" },
    take: Math.min(Math.max(options.limit ?? 200, 1), 500),
    select: { ...waitSelect, run: { select: { workflowId: true, workflowName: true, status: true } } },
  });
  return rows.map(({ run, ...row }) => ({ ...toWaitView(row), workflowId: run.workflowId, workflowName: run.workflowName, runStatus: run.status }));
}

/** How many approvals and questions wait in the workspace (the Inbox badge). */
export async function countPendingWaits(member: Member, deps: { db?: Db } = {}): Promise<number> {
  const db = deps.db ?? defaultDb();
  return db.runWait.count({
    where: { workspaceId: member.workspaceId, status: "pending", kind: { in: ["approval", "question"] }, run: { status: { in: ["waiting", "running", "queued"] } } },
  });
}
