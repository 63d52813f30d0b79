import { randomUUID } from "node:crypto";
import { z } from "zod";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import type { HistoryMessage } from "@/lib/engine/conversation";
import { cancelOwnRun } from "@/lib/runs/cancel";
import { createAndEnqueueRun } from "@/lib/runs/service";
import { knownPublishedGraph } from "@/lib/runs/version-graphs";
import { ServiceError, notFound } from "@/lib/services/errors";
import type { ChatCaller } from "./access";
import { findPublished } from "@/lib/api/workflows";
import { ownConversation, ownerWhere, restoreVariablesBefore } from "./conversations";
import { insertTurn, selectConversationWithHistory, selectHistory } from "./turn-sql";
import { finishChatTurn } from "./finish-turn";
import { turnPlanOf, type TurnPlan } from "./stream";

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

/**
 * The version a turn runs: the latest published when the app was read this request. Its parsed
 * graph is kept per version id (rows never change), so only the first turn of a version reads it.
 */
async function latestVersion(caller: ChatCaller): Promise<{ id: string; graph: Graph; name: string }> {
  const { versionId, workflowName } = caller.app;
  const known = versionId && workflowName !== null ? knownPublishedGraph(versionId) : undefined;
  if (known) return { id: versionId!, graph: known, name: workflowName! };
  const found = await findPublished(caller.member.workspaceId, caller.app.workflowId);
  if (!found.versionId || !found.graph) throw new ServiceError("conflict", "This chat app's workflow has no published version.");
  return { id: found.versionId, graph: found.graph, name: found.name };
}

/** Answered messages read newest first, as the run's `history` input: oldest first. */
const asHistory = (rows: { id: string; role: string; content: string }[]): HistoryMessage[] =>
  rows.reverse().map((m) => ({ role: m.role === "assistant" ? "assistant" : "user", content: m.content, id: m.id }));

/** Earlier answered messages, oldest first, before a time (regenerate). */
async function historyBefore(conversationId: string, before: Date): Promise<HistoryMessage[]> {
  return asHistory(await selectHistory(conversationId, { before, limit: HISTORY_MAX_MESSAGES }));
}

interface TurnMessage {
  conversationId: string;
  userMessage: { id: string; content: string };
  history: HistoryMessage[];
  variables: unknown;
  /** The user's message is new: written with the turn's run (not when answering an existing one again). */
  created: boolean;
}

/** Regenerate: the conversation's last user message again, its answers removed. */
async function regeneratedMessage(caller: ChatCaller, conversationId: string): Promise<TurnMessage> {
  const conversation = await ownConversation(caller, conversationId);
  const last = await db().message.findFirst({ where: { conversationId, role: "user" }, orderBy: { createdAt: "desc" }, select: { id: true, content: true, createdAt: true } });
  if (!last) throw new ServiceError("conflict", "There is nothing to regenerate yet.");
  const running = await db().message.findFirst({ where: { conversationId, status: "pending" }, select: { id: true } });
  if (running) throw new ServiceError("conflict", "An answer is still being written; stop it first.");
  // The replaced answer's changes to the conversation variables are undone: its run starts again from them.
  const restored = await restoreVariablesBefore(caller, conversationId, last.createdAt);
  await db().message.deleteMany({ where: { conversationId, role: "assistant", createdAt: { gte: last.createdAt } } });
  const variables = restored ?? conversation.variables;
  return { conversationId, userMessage: last, history: await historyBefore(conversationId, last.createdAt), variables, created: false };
}

/**
 * A new user message, in a new conversation (no history to read) or one of the caller's (checked
 * and read with its history in one statement); the message is written with the turn's run.
 */
async function newMessage(caller: ChatCaller, message: string, conversationId: string | undefined): Promise<TurnMessage> {
  const conversation = conversationId ? await conversationWithHistory(caller, conversationId) : { ...(await newConversation(caller, message)), history: [] };
  const userMessage = { id: randomUUID(), content: message };
  return { conversationId: conversation.id, userMessage, history: asHistory(conversation.history), variables: conversation.variables, created: true };
}

async function conversationWithHistory(caller: ChatCaller, conversationId: string) {
  const found = await selectConversationWithHistory(caller.app.id, caller.owner, conversationId, HISTORY_MAX_MESSAGES);
  if (!found) throw notFound("Conversation");
  return found;
}

async function newConversation(caller: ChatCaller, message: string): Promise<{ id: string; variables: unknown }> {
  const title = message.length > 60 ? `${message.slice(0, 57)}…` : message;
  const owner = "userId" in caller.owner ? { userId: caller.owner.userId } : { visitorId: caller.owner.visitorId };
  return db().conversation.create({ data: { workspaceId: caller.app.workspaceId, chatAppId: caller.app.id, title, ...owner }, select: { id: true, variables: true } });
}

export interface StartedTurn {
  conversationId: string;
  runId: string;
  messageId: string;
  userMessageId: string;
  /** The run's Answer and Sub-workflow nodes and its Answer feeds (the stream tells their text from a model's and follows child runs). */
  plan: TurnPlan;
}

/** `runId`: chosen by a caller that subscribes to the run's events before it exists (the turns route). */
export async function startTurn(caller: ChatCaller, body: z.input<typeof TurnSchema>, runId: string = randomUUID()): Promise<StartedTurn> {
  const input = TurnSchema.parse(body);
  const version = await latestVersion(caller);
  const turn = input.regenerate ? await regeneratedMessage(caller, input.conversationId!) : await newMessage(caller, input.message!, input.conversationId);
  const messageId = randomUUID();
  const messages = { conversationId: turn.conversationId, question: turn.created ? turn.userMessage : null, answerId: messageId };
  await createAndEnqueueRun(
    caller.member,
    {
      id: runId,
      workflowId: caller.app.workflowId,
      workflowName: version.name,
      graph: version.graph,
      workflowVersionId: version.id,
      inputs: { message: turn.userMessage.content, history: turn.history, conversation: turn.variables ?? {} },
      origin: { trigger: "chat", visitorId: "visitorId" in caller.owner ? caller.owner.visitorId : null },
    },
    // The messages are written with the run, before its job is queued: a turn that does not start
    // leaves none, and the worker always finds the answer to fill in.
    { writeRun: (run, audit) => insertTurn(run, audit, messages) },
  );
  return { conversationId: turn.conversationId, runId, messageId, userMessageId: turn.userMessage.id, plan: turnPlanOf(version.graph) };
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
