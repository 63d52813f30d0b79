import { z } from "zod";
import type { Db } from "@/lib/db/client";
import type { MemoryPort, MemorySummary } from "@/lib/engine/ports";

/**
 * The summary cache of conversation memory (lib/nodes/memory-summary.ts), kept in
 * `conversations.memorySummaries` as { <nodeId>: { through, summary } }. The conversation is the
 * one the history's messages belong to, and only for the run of a chat turn in the same workspace:
 * a run started elsewhere with someone's message ids neither reads nor writes a summary.
 */

const StoredSchema = z.object({ through: z.string(), summary: z.string() });

export function createMemoryPort(db: Db, workspaceId: string, runId: string): MemoryPort {
  const conversations = new Map<string, Promise<string | null>>();

  async function findConversation(messageIds: string[]): Promise<string | null> {
    const unique = [...new Set(messageIds)];
    if (unique.length === 0) return null;
    const run = await db.run.findUnique({ where: { id: runId }, select: { trigger: true, workspaceId: true } });
    if (run?.trigger !== "chat" || run.workspaceId !== workspaceId) return null;
    const rows = await db.message.findMany({ where: { id: { in: unique }, conversation: { workspaceId } }, select: { conversationId: true } });
    const found = new Set(rows.map((r) => r.conversationId));
    return rows.length === unique.length && found.size === 1 ? rows[0]!.conversationId : null;
  }
  // One lookup per history (the LLM and Agent nodes of a run share it).
  const conversationOf = (messageIds: string[]) => {
    const key = messageIds.join(",");
    if (!conversations.has(key)) conversations.set(key, findConversation(messageIds));
    return conversations.get(key)!;
  };

  return {
    async load({ nodeId, messageIds }) {
      const conversationId = await conversationOf(messageIds);
      if (!conversationId) return null;
      const row = await db.conversation.findUnique({ where: { id: conversationId }, select: { memorySummaries: true } });
      const entry = (row?.memorySummaries as Record<string, unknown> | null)?.[nodeId];
      return StoredSchema.safeParse(entry).data ?? null;
    },
    async save({ nodeId, messageIds }, summary: MemorySummary) {
      const conversationId = await conversationOf(messageIds);
      if (!conversationId) return;
      // One key merged in place: two nodes of a turn may save at the same time. updatedAt is left alone (it orders the conversation list).
      await db.$executeRaw`UPDATE conversations SET "memorySummaries" = "memorySummaries" || jsonb_build_object(${nodeId}::text, ${JSON.stringify(summary)}::jsonb) WHERE id = ${conversationId}`;
    },
  };
}
