import { z } from "zod";
import { hasRole } from "@/lib/auth/member";
import { db } from "@/lib/db/client";
import { ApprovalRequestSchema } from "@/lib/nodes/approval/definition";
import type { Answerer, StoredAnswer } from "@/lib/nodes/wait-kit";
import { recordAudit } from "@/lib/audit/record";
import { alreadyResolved, resolveWait, validateAnswer } from "@/lib/runs/waits";
import { ServiceError, forbidden, notFound } from "@/lib/services/errors";
import type { ChatCaller } from "./access";
import { ownerWhere } from "./conversations";
import { isRunOfTurn } from "./pending-waits";

/**
 * Waits inside a chat turn: a Question or Human approval the turn's run (or one of its
 * sub-workflow runs, pending-waits.ts) reached is shown in the chat (a form or buttons) and
 * answered there by whoever owns the conversation. The conversation's owner is the check (a chat
 * caller is not a workspace editor, so `wait.answer` does not apply); an approval that requires a
 * role is decided only by a member holding it (never an outsider or a visitor, who act as viewers).
 */

export const ChatAnswerSchema = z.object({ waitId: z.string().uuid(), answer: z.record(z.string(), z.unknown()) }).strict();

function answererOf(caller: ChatCaller): Answerer {
  if ("visitorId" in caller.owner) return { kind: "visitor", id: caller.owner.visitorId, name: "Chat visitor" };
  return { kind: "user", id: caller.owner.userId, name: caller.member.name || caller.member.email };
}

/**
 * The caller's answer to a pending wait of their own pending chat answer: 404 for anyone else's
 * message or wait, 409 when it is no longer pending or the run ended, 403 for an approval that
 * requires a role the caller does not hold, 400 when the answer does not fit. Returns the run id.
 */
export async function answerChatWait(caller: ChatCaller, messageId: string, input: z.input<typeof ChatAnswerSchema>): Promise<{ runId: string }> {
  const { waitId, answer } = ChatAnswerSchema.parse(input);
  const message = await db().message.findFirst({ where: { id: messageId, role: "assistant", conversation: ownerWhere(caller) }, select: { runId: true } });
  if (!message?.runId) throw notFound("Message");
  const wait = await db().runWait.findFirst({
    where: { id: waitId, kind: { in: ["approval", "question"] } },
    select: { id: true, runId: true, kind: true, status: true, request: true, run: { select: { status: true, workflowName: true } } },
  });
  // The turn's own run or one of its sub-workflow runs: anything else is someone else's wait.
  if (!wait || !(await isRunOfTurn(wait.runId, message.runId))) throw notFound("Wait");
  if (wait.status !== "pending") throw alreadyResolved(wait.status);
  if (!["waiting", "running", "queued"].includes(wait.run.status)) throw new ServiceError("conflict", "This answer has already ended; it waits for nothing.", { status: wait.run.status });
  const checked = validateAnswer(wait.kind, wait.request, answer);
  if (wait.kind === "approval") {
    const required = ApprovalRequestSchema.safeParse(wait.request).data?.assigneeRole ?? null;
    if (required && !hasRole(caller.member.role, required)) throw forbidden(`Only a member with the ${required} role or higher may decide this.`);
  }
  const by = answererOf(caller);
  const response: StoredAnswer = { answer: checked, by };
  await resolveWait({ id: wait.id }, { status: "answered", response, answeredById: by.kind === "user" ? by.id : null });
  const decision = wait.kind === "approval" ? String(checked.decision) : null;
  // A signed-out visitor is no user: the trail names them as anonymous, with their visitor id.
  await recordAudit({
    action: `${wait.kind}.answered`,
    actorType: by.kind === "user" ? "user" : "anonymous",
    actorUserId: by.kind === "user" ? by.id : null,
    actorLabel: by.kind === "user" ? caller.member.email : `chat visitor ${by.id}`,
    workspaceId: caller.app.workspaceId,
    targetType: "run",
    targetId: message.runId,
    targetLabel: wait.run.workflowName,
    metadata: { waitId: wait.id, decision, via: "chat", ...(wait.runId !== message.runId ? { subworkflowRunId: wait.runId } : {}) },
  });
  return { runId: message.runId };
}
