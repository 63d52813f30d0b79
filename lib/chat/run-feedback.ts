import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";

export interface RunChatTurn {
  conversationId: string;
  conversationTitle: string;
  chatAppSlug: string;
  /** The user's message the run answered. */
  question: string | null;
  answer: string;
  status: string;
  rating: number | null;
  feedbackComment: string | null;
  feedbackAt: Date | null;
}

/** The chat turn a run answered, with the user's feedback, for the run page (null for other runs). */
export async function chatTurnOfRun(member: Member, runId: string): Promise<RunChatTurn | null> {
  requirePermission(member, "run.read");
  const message = await db().message.findFirst({
    where: { runId, role: "assistant", conversation: { workspaceId: member.workspaceId } },
    select: { content: true, status: true, rating: true, feedbackComment: true, feedbackAt: true, createdAt: true, conversation: { select: { id: true, title: true, chatApp: { select: { slug: true } } } }, conversationId: true },
  });
  if (!message) return null;
  const question = await db().message.findFirst({
    where: { conversationId: message.conversationId, role: "user", createdAt: { lte: message.createdAt } },
    orderBy: { createdAt: "desc" },
    select: { content: true },
  });
  return {
    conversationId: message.conversation.id,
    conversationTitle: message.conversation.title,
    chatAppSlug: message.conversation.chatApp.slug,
    question: question?.content ?? null,
    answer: message.content,
    status: message.status,
    rating: message.rating,
    feedbackComment: message.feedbackComment,
    feedbackAt: message.feedbackAt,
  };
}
