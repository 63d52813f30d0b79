import { z } from "zod";
import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import { CHAT_VARIABLES_INPUT } from "@/lib/engine/conversation";
import { ServiceError, notFound } from "@/lib/services/errors";
import type { ChatCaller } from "./access";
import { pendingWaitsOfRuns } from "./pending-waits";
import { selectOwnConversation } from "./turn-sql";

/** Conversations and messages of one chat caller: every query is scoped to the app and its owner. */

export const RenameConversationSchema = z.object({ title: z.string().trim().min(1).max(200) }).strict();
export const FeedbackSchema = z.object({ rating: z.union([z.literal(1), z.literal(-1), z.null()]), comment: z.string().max(2_000).optional() }).strict();

export function ownerWhere(caller: ChatCaller): Prisma.ConversationWhereInput {
  return { chatAppId: caller.app.id, ...("userId" in caller.owner ? { userId: caller.owner.userId } : { visitorId: caller.owner.visitorId }) };
}

export function listConversations(caller: ChatCaller) {
  return db().conversation.findMany({ where: ownerWhere(caller), orderBy: { updatedAt: "desc" }, take: 100, select: { id: true, title: true, createdAt: true, updatedAt: true } });
}

export async function ownConversation(caller: ChatCaller, conversationId: string) {
  const found = await selectOwnConversation(caller.app.id, caller.owner, conversationId);
  if (!found) throw notFound("Conversation");
  return found;
}

const MESSAGE_VIEW = { id: true, role: true, content: true, status: true, runId: true, rating: true, feedbackComment: true, citations: true, createdAt: true } as const;

/** The conversation's messages, oldest first; an answer still pending carries the waits it is held by (the page shows their forms again after a reload). */
export async function listMessages(caller: ChatCaller, conversationId: string) {
  await ownConversation(caller, conversationId);
  const messages = await db().message.findMany({ where: { conversationId }, orderBy: [{ createdAt: "asc" }, { role: "desc" }], select: MESSAGE_VIEW, take: 500 });
  const waits = await pendingWaitsOfRuns(messages.flatMap((m) => (m.status === "pending" && m.runId ? [m.runId] : [])));
  return messages.map((m) => (m.status === "pending" && m.runId ? { ...m, waits: waits.get(m.runId) ?? [] } : m));
}

/**
 * Regenerate starts from the conversation variables as they were before the answer it replaces
 * (else a Variable assign of the turn applies twice for one user message). That answer's run
 * received them as its `conversation` input (startTurn), so they are put back from there; an
 * answer without a run (never started) changed nothing to put back.
 */
export async function restoreVariablesBefore(caller: ChatCaller, conversationId: string, since: Date): Promise<Record<string, unknown> | undefined> {
  const replaced = await db().message.findFirst({
    where: { conversationId, conversation: ownerWhere(caller), role: "assistant", createdAt: { gte: since }, runId: { not: null } },
    orderBy: { createdAt: "asc" },
    select: { run: { select: { inputs: true } } },
  });
  const inputs = replaced?.run?.inputs;
  const before = inputs && typeof inputs === "object" && !Array.isArray(inputs) ? inputs[CHAT_VARIABLES_INPUT] : undefined;
  if (!before || typeof before !== "object" || Array.isArray(before)) return undefined;
  await db().conversation.updateMany({ where: { id: conversationId, ...ownerWhere(caller) }, data: { variables: before } });
  return before as Record<string, unknown>;
}

export async function renameConversation(caller: ChatCaller, conversationId: string, input: z.input<typeof RenameConversationSchema>) {
  const { title } = RenameConversationSchema.parse(input);
  await ownConversation(caller, conversationId);
  return db().conversation.update({ where: { id: conversationId }, data: { title }, select: { id: true, title: true, updatedAt: true } });
}

export async function deleteConversation(caller: ChatCaller, conversationId: string): Promise<void> {
  await ownConversation(caller, conversationId);
  await db().conversation.delete({ where: { id: conversationId } });
}

/** The run of one of the caller's answers, to follow it (a reload while it is written): 404 for anyone else's, 409 before its run is linked. */
export async function ownAnswerRun(caller: ChatCaller, messageId: string): Promise<string> {
  const message = await db().message.findFirst({ where: { id: messageId, role: "assistant", conversation: ownerWhere(caller) }, select: { runId: true } });
  if (!message) throw notFound("Message");
  if (!message.runId) throw new ServiceError("conflict", "This answer has no run to follow (yet).");
  return message.runId;
}

/** Thumbs up/down (null clears it) with an optional comment, on one of the caller's assistant messages. */
export async function giveFeedback(caller: ChatCaller, messageId: string, input: z.input<typeof FeedbackSchema>) {
  const { rating, comment } = FeedbackSchema.parse(input);
  const message = await db().message.findFirst({ where: { id: messageId, role: "assistant", conversation: ownerWhere(caller) }, select: { id: true } });
  if (!message) throw notFound("Message");
  return db().message.update({
    where: { id: messageId },
    data: { rating, feedbackComment: comment?.trim() || null, feedbackAt: new Date() },
    select: MESSAGE_VIEW,
  });
}
