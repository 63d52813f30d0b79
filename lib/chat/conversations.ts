import { z } from "zod";
import type { Prisma } from "@/lib/generated/prisma/client";
import { db } from "@/lib/db/client";
import { notFound } from "@/lib/services/errors";
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

export async function renameConversation(caller: ChatCaller, conversationId: string, input: z.input<typeof RenameConversationSchema>) {
  const { title } = RenameConversationSchema.parse(input);
  await ownConversation(caller, conversationId);
  return db().conversation.update({ where: { id: conversationId }, data: { title }, select: { id: true, title: true, updatedAt: true } });
}

export async function deleteConversation(caller: ChatCaller, conversationId: string): Promise<void> {
  await ownConversation(caller, conversationId);
  await db().conversation.delete({ where: { id: conversationId } });
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
