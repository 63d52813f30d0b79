import { z } from "zod";
import { db, poolOf } from "@/lib/db/client";
import { prepared } from "@/lib/db/prepared";
import { LIMITS } from "@/lib/engine/limits";
import { chatNodesOf, type ChatNodes } from "./tree-order";
import { RUN_WITH_AUDIT, RUN_WITH_AUDIT_PARAMS, runRowValues, type NewRun } from "@/lib/runs/run-insert";

/**
 * The statements every chat turn makes, as plain prepared SQL on the shared pool (lib/db/prepared.ts)
 * rather than through Prisma's query compiler, whose per-statement CPU was most of the web's
 * ≈ 25 ms per turn (bench/chat-ttft.ts). Fewer of them too: the app with its workspace's name and
 * its latest published version in one join; the run, the user's message, the pending answer and
 * the conversation's "last active" time in one statement. Timestamps are written and read in UTC,
 * as Prisma keeps them.
 */

const AppRowSchema = z.object({
  id: z.string(),
  workspaceId: z.string(),
  workflowId: z.string(),
  slug: z.string(),
  title: z.string(),
  welcome: z.string(),
  suggestions: z.array(z.string()),
  access: z.string(),
  allowedDomains: z.array(z.string()),
  allowedOrigins: z.array(z.string()),
  enabled: z.boolean(),
  workspaceName: z.string(),
  /** The app's workflow's latest published version (null before the first publish) and the workflow's name. */
  versionId: z.string().nullable(),
  workflowName: z.string().nullable(),
});
export type ChatAppRow = z.infer<typeof AppRowSchema>;

const FIND_APP = prepared(
  "chat_app_by_slug",
  `SELECT a.id, a."workspaceId", a."workflowId", a.slug, a.title, a.welcome, a.suggestions, a.access,
          a."allowedDomains", a."allowedOrigins", a.enabled, w.name AS "workspaceName",
          v.id AS "versionId", wf.name AS "workflowName"
     FROM chat_apps a JOIN workspaces w ON w.id = a."workspaceId"
     LEFT JOIN workflows wf ON wf.id = a."workflowId" AND wf."workspaceId" = a."workspaceId"
     LEFT JOIN LATERAL (SELECT id FROM workflow_versions WHERE "workflowId" = wf.id ORDER BY version DESC LIMIT 1) v ON true
    WHERE a.slug = $1`,
);

export async function selectChatApp(slug: string): Promise<ChatAppRow | null> {
  const { rows } = await poolOf(db()).query(FIND_APP([slug]));
  return rows.length ? AppRowSchema.parse(rows[0]) : null;
}

/** Whose conversation: the signed-in user's or the visitor's (exactly one is set). */
export type ConversationOwner = { userId: string } | { visitorId: string };

const ConversationRowSchema = z.object({ id: z.string(), title: z.string(), variables: z.unknown() });

const FIND_CONVERSATION = prepared(
  "chat_own_conversation",
  `SELECT id, title, variables FROM conversations
    WHERE id = $1 AND "chatAppId" = $2
      AND CASE WHEN $3::text IS NOT NULL THEN "userId" = $3::text ELSE "visitorId" = $4::text END`,
);

export async function selectOwnConversation(appId: string, owner: ConversationOwner, conversationId: string) {
  const { rows } = await poolOf(db()).query(
    FIND_CONVERSATION([conversationId, appId, "userId" in owner ? owner.userId : null, "visitorId" in owner ? owner.visitorId : null]),
  );
  return rows.length ? ConversationRowSchema.parse(rows[0]) : null;
}

const HistoryRowSchema = z.object({ id: z.string(), role: z.string(), content: z.string() });

/** The messages a turn's history is made of (answered, not empty), and their order: newest first, a question before its answer at the same time. */
const HISTORY_MESSAGE = `status = 'done' AND content <> ''`;
const NEWEST_FIRST = `"createdAt" DESC, role ASC`;

/**
 * The caller's conversation (as selectOwnConversation) with its last `$5` answered messages,
 * newest first, in one statement: what a new turn in it starts from, read before its message is
 * written (so the history is everything before it).
 */
const FIND_CONVERSATION_WITH_HISTORY = prepared(
  "chat_own_conversation_with_history",
  `SELECT c.id, c.title, c.variables,
          COALESCE((SELECT json_agg(json_build_object('id', h.id, 'role', h.role, 'content', h.content) ORDER BY h."createdAt" DESC, h.role ASC)
                      FROM (SELECT id, role, content, "createdAt" FROM messages
                             WHERE "conversationId" = c.id AND ${HISTORY_MESSAGE}
                             ORDER BY ${NEWEST_FIRST} LIMIT $5) h), '[]'::json) AS history
     FROM conversations c
    WHERE c.id = $1 AND c."chatAppId" = $2
      AND CASE WHEN $3::text IS NOT NULL THEN c."userId" = $3::text ELSE c."visitorId" = $4::text END`,
);

export async function selectConversationWithHistory(appId: string, owner: ConversationOwner, conversationId: string, limit: number) {
  const { rows } = await poolOf(db()).query(
    FIND_CONVERSATION_WITH_HISTORY([conversationId, appId, "userId" in owner ? owner.userId : null, "visitorId" in owner ? owner.visitorId : null, limit]),
  );
  return rows.length ? ConversationRowSchema.extend({ history: z.array(HistoryRowSchema) }).parse(rows[0]) : null;
}

/** The messages a turn writes: the user's (unless the turn answers an existing one again) and the answer to come. */
export interface TurnMessages {
  conversationId: string;
  question: { id: string; content: string } | null;
  answerId: string;
}

/**
 * A turn's run (with its audit entry, RUN_WITH_AUDIT), the user's message, the pending answer
 * linked to the run, and the conversation moved to the top of its owner's list: one statement and
 * one commit, so a turn that cannot start leaves no message behind, and the worker always finds
 * the answer to fill in (the run's job is queued after this).
 */
const INSERT_TURN = prepared(
  "chat_insert_turn",
  `WITH ${RUN_WITH_AUDIT},
   touched AS (UPDATE conversations SET "updatedAt" = now() AT TIME ZONE 'UTC' WHERE id = $${RUN_WITH_AUDIT_PARAMS + 1}),
   question AS (INSERT INTO messages (id, "conversationId", role, content, status, "createdAt")
                SELECT $${RUN_WITH_AUDIT_PARAMS + 2}, $${RUN_WITH_AUDIT_PARAMS + 1}, 'user', $${RUN_WITH_AUDIT_PARAMS + 3}::text, 'done', now() AT TIME ZONE 'UTC'
                 WHERE $${RUN_WITH_AUDIT_PARAMS + 2}::text IS NOT NULL)
   INSERT INTO messages (id, "conversationId", role, content, status, "runId", "createdAt")
   SELECT $${RUN_WITH_AUDIT_PARAMS + 4}, $${RUN_WITH_AUDIT_PARAMS + 1}, 'assistant', '', 'pending', run.id, now() AT TIME ZONE 'UTC' FROM run`,
);

export async function insertTurn(run: NewRun, audit: unknown[], messages: TurnMessages): Promise<void> {
  const { conversationId, question, answerId } = messages;
  await poolOf(db()).query(INSERT_TURN([...runRowValues(run), ...audit, conversationId, question?.id ?? null, question?.content ?? null, answerId]));
}

/** The last `limit` answered messages before a time (regenerate), newest first. */
const SELECT_HISTORY = prepared(
  "chat_history_before",
  `SELECT id, role, content FROM messages
    WHERE "conversationId" = $1 AND ${HISTORY_MESSAGE} AND "createdAt" < $2::timestamptz AT TIME ZONE 'UTC'
    ORDER BY ${NEWEST_FIRST}
    LIMIT $3`,
);

export async function selectHistory(conversationId: string, options: { before: Date; limit: number }) {
  const { rows } = await poolOf(db()).query(SELECT_HISTORY([conversationId, options.before.toISOString(), options.limit]));
  return z.array(HistoryRowSchema).parse(rows);
}

export const StoredMessageSchema = z.object({ id: z.string(), content: z.string(), status: z.string(), citations: z.unknown() });
const SELECT_MESSAGE = prepared("chat_stored_message", `SELECT id, content, status, citations FROM messages WHERE id = $1`);

/** An assistant message as the chat shows it when its turn ends. */
export async function selectStoredMessage(messageId: string) {
  const { rows } = await poolOf(db()).query(SELECT_MESSAGE([messageId]));
  return rows.length ? StoredMessageSchema.parse(rows[0]) : null;
}

const TurnRowSchema = z.object({
  status: z.string(),
  steps: z.array(
    z.object({
      nodeId: z.string(),
      nodeType: z.string(),
      iteration: z.number(),
      status: z.string(),
      output: z.unknown(),
      /** Epoch milliseconds (inSpeakingOrder, tree-order.ts); null while the step is going. */
      startedAt: z.number(),
      finishedAt: z.number().nullable(),
    }),
  ),
});
export type TurnSnapshot = z.infer<typeof TurnRowSchema>;

/** A step's times as epoch milliseconds, in a snapshot's JSON. */
const STEP_TIMES = `'startedAt', extract(epoch FROM s."startedAt") * 1000, 'finishedAt', extract(epoch FROM s."finishedAt") * 1000`;

/** A turn's run as the chat stream starts from it: its status and its steps in the order they spoke (inSpeakingOrder). */
const SELECT_TURN = prepared(
  "chat_turn_snapshot",
  `SELECT r.status::text AS status,
          COALESCE((SELECT json_agg(json_build_object('nodeId', s."nodeId", 'nodeType', s."nodeType", 'iteration', s.iteration,
                                                      'status', s.status::text, 'output', s.output, ${STEP_TIMES})
                                    ORDER BY s."finishedAt" ASC NULLS LAST, s."startedAt")
                      FROM run_steps s WHERE s."runId" = r.id), '[]'::json) AS steps
     FROM runs r WHERE r.id = $1`,
);

export async function selectTurnSnapshot(runId: string): Promise<TurnSnapshot | null> {
  const { rows } = await poolOf(db()).query(SELECT_TURN([runId]));
  return rows.length ? TurnRowSchema.parse(rows[0]) : null;
}

/**
 * `tree(id, depth)`: the run `$1` and its sub-workflow runs at any depth (bounded by the nesting
 * limit), the start of the statements that read a turn with its child runs.
 */
export const TURN_TREE = `WITH RECURSIVE tree(id, depth) AS (
     SELECT id, 0 FROM runs WHERE id = $1
     UNION ALL
     SELECT r.id, t.depth + 1 FROM runs r JOIN tree t ON r."parentRunId" = t.id WHERE t.depth < ${LIMITS.maxSubworkflowDepth})`;

const TreeRowSchema = z.object({
  id: z.string(),
  parentRunId: z.string().nullable(),
  parentNodeId: z.string().nullable(),
  parentIteration: z.number().nullable(),
  status: z.string(),
  graphNodes: z.array(z.object({ id: z.string(), type: z.string(), data: z.unknown() })),
  steps: TurnRowSchema.shape.steps,
});
/** A run of a turn's tree as the chat stream reads it: its link to the step that started it, the nodes the chat reads, its steps. */
export type TreeSnapshotRun = Omit<z.infer<typeof TreeRowSchema>, "graphNodes"> & { nodes: ChatNodes };

/**
 * A run and its sub-workflow runs at any depth (bounded by the nesting limit), each with its
 * graph's nodes (what the chat reads of them, chatNodesOf) and its steps with their times (the stream puts the tree's
 * steps in the order they spoke, inSpeakingOrder); only Answer steps' outputs are read (the chat
 * shows nothing else of a step).
 */
const SELECT_TREE = prepared(
  "chat_turn_tree_snapshot",
  `${TURN_TREE}
   SELECT r.id, r."parentRunId", r."parentNodeId", r."parentIteration", r.status::text AS status,
          COALESCE((SELECT jsonb_agg(jsonb_build_object('id', n->'id', 'type', n->'type', 'data', n->'data'))
                      FROM jsonb_array_elements(COALESCE(r.graph->'nodes', '[]'::jsonb)) n), '[]'::jsonb) AS "graphNodes",
          COALESCE((SELECT json_agg(json_build_object('nodeId', s."nodeId", 'nodeType', s."nodeType", 'iteration', s.iteration, 'status', s.status::text,
                                                      'output', CASE WHEN s."nodeType" = 'answer' THEN s.output END, ${STEP_TIMES}))
                      FROM run_steps s WHERE s."runId" = r.id), '[]'::json) AS steps
     FROM tree t JOIN runs r ON r.id = t.id
    ORDER BY t.depth`,
);

/** The tree under `runId` (empty when there is no such run). */
export async function selectTreeSnapshot(runId: string): Promise<TreeSnapshotRun[]> {
  const { rows } = await poolOf(db()).query(SELECT_TREE([runId]));
  return z
    .array(TreeRowSchema)
    .parse(rows)
    .map(({ graphNodes, ...run }) => ({ ...run, nodes: chatNodesOf(graphNodes) }));
}
