import { randomUUID } from "node:crypto";
import { z } from "zod";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import type { HistoryMessage } from "@/lib/engine/conversation";
import { cancelOwnRun } from "@/lib/runs/cancel";
import { isRunOver, readRunStatus } from "@/lib/runs/follow";
import { createAndEnqueueRun } from "@/lib/runs/service";
import { publishedGraph } from "@/lib/runs/version-graphs";
import { ServiceError, notFound } from "@/lib/services/errors";
import type { ChatCaller } from "./access";
import { ownConversation, ownerWhere, restoreVariablesBefore } from "./conversations";
import { finishChatTurn } from "./finish-turn";

/**
 * One chat turn = one normal durable run of the app's latest published version (trigger `chat`),
 * started through lib/runs/service.ts like every run. The user's message and a `pending` assistant
 * message linked to the run are written first; the worker fills the assistant message in when the
 * run ends (finish-turn.ts), so an answer is kept even when nobody is watching.
 */

export const TurnSchema = z
  .object({
    conversationId: z.string().uuid().optional(),
    message: z.string().trim().min(1).max(20_000).optional(),
    /** Answer the conversation's last user message again (its previous answer is removed). */
    regenerate: z.boolean().default(false),
  })
  .strict()
  .refine((t) => t.regenerate || t.message !== undefined, { message: "message is required", path: ["message"] })
  .refine((t) => !t.regenerate || t.conversationId !== undefined, { message: "regenerate needs a conversationId", path: ["conversationId"] });

/** Earlier turns sent with each run (memory settings of the nodes choose how many they use). */
const HISTORY_MAX_MESSAGES = 100;

async function latestVersion(workflowId: string): Promise<{ id: string; graph: Graph; name: string }> {
  const version = await db().workflowVersion.findFirst({
    where: { workflowId },
    orderBy: { version: "desc" },
    select: { id: true, graph: true, workflow: { select: { name: true } } },
  });
  if (!version) throw new ServiceError("conflict", "This chat app's workflow has no published version.");
  return { id: version.id, graph: publishedGraph(version.id, version.graph), name: version.workflow.name };
}

async function historyBefore(conversationId: string, before?: Date): Promise<HistoryMessage[]> {
  const rows = await db().message.findMany({
    where: { conversationId, status: "done", content: { not: "" }, ...(before ? { createdAt: { lt: before } } : {}) },
    orderBy: [{ createdAt: "desc" }, { role: "asc" }],
    take: HISTORY_MAX_MESSAGES,
    select: { id: true, role: true, content: true },
  });
  return rows.reverse().map((m) => ({ role: m.role === "assistant" ? "assistant" : "user", content: m.content, id: m.id }));
}

/** The user message this turn answers: a new one, or for regenerate the last one (its answers removed). */
async function turnMessage(caller: ChatCaller, input: z.output<typeof TurnSchema>): Promise<{ conversationId: string; userMessage: { id: string; content: string; createdAt: Date }; created: boolean }> {
  if (input.regenerate) {
    await ownConversation(caller, input.conversationId!);
    const last = await db().message.findFirst({ where: { conversationId: input.conversationId!, role: "user" }, orderBy: { createdAt: "desc" }, select: { id: true, content: true, createdAt: true } });
    if (!last) throw new ServiceError("conflict", "There is nothing to regenerate yet.");
    const running = await db().message.findFirst({ where: { conversationId: input.conversationId!, status: "pending" }, select: { id: true } });
    if (running) throw new ServiceError("conflict", "An answer is still being written; stop it first.");
    await restoreVariablesBefore(caller, input.conversationId!, last.createdAt);
    await db().message.deleteMany({ where: { conversationId: input.conversationId!, role: "assistant", createdAt: { gte: last.createdAt } } });
    return { conversationId: input.conversationId!, userMessage: last, created: false };
  }
  const conversationId = input.conversationId ?? (await newConversation(caller, input.message!));
  if (input.conversationId) await ownConversation(caller, input.conversationId);
  const userMessage = await db().message.create({ data: { conversationId, role: "user", content: input.message! }, select: { id: true, content: true, createdAt: true } });
  return { conversationId, userMessage, created: true };
}

async function newConversation(caller: ChatCaller, message: string): Promise<string> {
  const title = message.length > 60 ? `${message.slice(0, 57)}…` : message;
  const owner = "userId" in caller.owner ? { userId: caller.owner.userId } : { visitorId: caller.owner.visitorId };
  const row = await db().conversation.create({ data: { workspaceId: caller.app.workspaceId, chatAppId: caller.app.id, title, ...owner }, select: { id: true } });
  return row.id;
}

export async function startTurn(caller: ChatCaller, body: z.input<typeof TurnSchema>): Promise<{ conversationId: string; runId: string; messageId: string; userMessageId: string }> {
  const input = TurnSchema.parse(body);
  const version = await latestVersion(caller.app.workflowId);
  const { conversationId, userMessage, created } = await turnMessage(caller, input);
  const runId = randomUUID();
  // The assistant message is written before the run exists, so the worker always finds the message to fill in.
  const [conversation, history, assistant] = await Promise.all([
    db().conversation.findUniqueOrThrow({ where: { id: conversationId }, select: { variables: true } }),
    historyBefore(conversationId, userMessage.createdAt),
    db().message.create({ data: { conversationId, role: "assistant", status: "pending", runId: null }, select: { id: true } }),
  ]);
  try {
    await createAndEnqueueRun(caller.member, {
      id: runId,
      workflowId: caller.app.workflowId,
      workflowName: version.name,
      graph: version.graph,
      workflowVersionId: version.id,
      inputs: { message: userMessage.content, history, conversation: conversation.variables ?? {} },
      origin: { trigger: "chat", visitorId: "visitorId" in caller.owner ? caller.owner.visitorId : null },
    });
  } catch (error) {
    // Nothing half-written: the turn did not start.
    await db().message.deleteMany({ where: { id: { in: [assistant.id, ...(created ? [userMessage.id] : [])] } } });
    throw error;
  }
  await Promise.all([
    db().message.update({ where: { id: assistant.id }, data: { runId } }),
    db().conversation.update({ where: { id: conversationId }, data: { updatedAt: new Date() } }),
  ]);
  // A quick run (no model, no wait) may have ended before its message was linked, when the worker
  // found no message to fill in: fill it in now (finishChatTurn writes only a pending message once).
  if (isRunOver(await readRunStatus(runId))) await finishChatTurn(db(), runId);
  return { conversationId, runId, messageId: assistant.id, userMessageId: userMessage.id };
}

/** Stop generating: cancels the turn's run and keeps what was answered so far. */
export async function stopTurn(caller: ChatCaller, messageId: string): Promise<void> {
  const message = await db().message.findFirst({ where: { id: messageId, role: "assistant", conversation: ownerWhere(caller) }, select: { runId: true, status: true } });
  if (!message) throw notFound("Message");
  if (!message.runId || message.status !== "pending") return;
  // The status may move (queued → running) between cancel's read and its compare-and-set: try again
  // while the run can still be cancelled. A run that ended meanwhile is not an error for "stop".
  for (let attempt = 0; attempt < 5; attempt++) {
    const stopped = await cancelOwnRun(caller.member, message.runId).then(
      () => true,
      (error: unknown) => {
        if (error instanceof ServiceError && error.code === "conflict") return false;
        throw error;
      },
    );
    if (stopped) break;
    const run = await db().run.findUnique({ where: { id: message.runId }, select: { status: true } });
    if (!run || !["queued", "running", "waiting"].includes(run.status)) break;
  }
  await finishChatTurn(db(), message.runId);
}
