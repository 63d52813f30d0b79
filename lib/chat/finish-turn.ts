import { z } from "zod";
import { poolOf, type Db } from "@/lib/db/client";
import { prepared } from "@/lib/db/prepared";
import { conversationOf } from "@/lib/engine/conversation";
import type { StoredChatMessage } from "@/lib/engine/run-ports";
import type { Prisma } from "@/lib/generated/prisma/client";
import { nodeRegistry } from "@/lib/nodes/registry";
import { readRunGraph } from "@/lib/runs/version-graphs";
import { answerTexts, endOutputText, turnAnswer } from "./turn-answer";
import { turnSteps, type StepRow } from "./turn-steps";
import { StoredMessageSchema } from "./turn-sql";

/**
 * Closes a chat turn once its run has ended: the pending assistant message gets its text (the
 * Answer nodes' texts in the order they ran, those of its sub-workflow runs at any depth included
 * where their Sub-workflow step ran, as the chat showed them; or the End output when no Answer
 * node spoke), its status and the citations of knowledge retrieval (sub-workflow runs' too); the
 * conversation keeps the final values of its conversation variables. Called by the worker when a
 * conversational run ends and by "stop generating"; idempotent (only a `pending` message is written).
 */

const MESSAGE_STATUS: Record<string, string> = { succeeded: "done", failed: "failed", cancelled: "cancelled" };

function citationsOf(steps: StepRow[]): Prisma.InputJsonValue[] {
  const citations: Prisma.InputJsonValue[] = [];
  for (const step of steps) {
    if (step.nodeType !== "knowledge") continue;
    const list = (step.detail as { retrieval?: { citations?: unknown[] } } | null)?.retrieval?.citations;
    if (!Array.isArray(list)) continue;
    for (const c of list as { citation?: number; documentName?: string; page?: number | null; section?: string | null }[]) {
      citations.push({ citation: c.citation ?? citations.length + 1, documentName: c.documentName ?? "", page: c.page ?? null, section: c.section ?? null });
    }
  }
  return citations;
}

/**
 * The conversation variables the run set: assign steps' outputs in the order they finished
 * (variables.ts), the last one winning. They are merged over the stored values in SQL, so no read
 * of those is needed first.
 */
function assignedVariables(names: readonly string[], steps: StepRow[]): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const step of steps) {
    if (!nodeRegistry[step.nodeType]?.assignsVariables || typeof step.output !== "object" || step.output === null) continue;
    for (const [name, value] of Object.entries(step.output)) if (names.includes(name)) values[name] = value;
  }
  return values;
}

/**
 * The turn's pending answer with its run's end and the run's succeeded steps (turn-steps.ts's
 * columns and order), in one statement (none: already written, or not a chat turn);
 * `hasChildren`: whether sub-workflow runs hang under it, whose answers are then read with the
 * tree (turn-steps.ts).
 */
const SELECT_PENDING_ANSWER = prepared(
  "chat_pending_answer",
  `SELECT m.id, m."conversationId", r.status::text AS "runStatus", r.output, r.graph, r."workflowVersionId",
          EXISTS (SELECT 1 FROM runs c WHERE c."parentRunId" = r.id) AS "hasChildren",
          COALESCE((SELECT json_agg(json_build_object('nodeType', s."nodeType", 'output', s.output,
                                                      'detail', CASE WHEN s."nodeType" = 'knowledge' THEN s.detail END)
                                    ORDER BY s."finishedAt", s."startedAt")
                      FROM run_steps s WHERE s."runId" = r.id AND s.status = 'succeeded'), '[]'::json) AS steps
     FROM messages m LEFT JOIN runs r ON r.id = m."runId"
    WHERE m."runId" = $1 AND m.role = 'assistant' AND m.status = 'pending'
    LIMIT 1`,
);
const PendingAnswerSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  runStatus: z.string().nullable(),
  output: z.unknown(),
  graph: z.unknown(),
  workflowVersionId: z.string().nullable(),
  hasChildren: z.boolean(),
  steps: z.array(z.object({ nodeType: z.string(), output: z.custom<StepRow["output"]>(), detail: z.custom<StepRow["detail"]>() })),
});

/** The answer, written once (only while pending); with `$5`, the conversation's variables updated in the same statement. */
const WRITE_ANSWER = prepared(
  "chat_write_answer",
  `UPDATE messages SET status = $2, content = $3, citations = COALESCE($4::jsonb, citations) WHERE id = $1 AND status = 'pending'
   RETURNING id, content, status, citations`,
);
const WRITE_ANSWER_AND_VARIABLES = prepared(
  "chat_write_answer_and_variables",
  `WITH written AS (
     UPDATE messages SET status = $2, content = $3, citations = COALESCE($4::jsonb, citations) WHERE id = $1 AND status = 'pending'
     RETURNING id, "conversationId", content, status, citations)
   UPDATE conversations c SET variables = COALESCE(c.variables, '{}'::jsonb) || $5::jsonb
     FROM written WHERE c.id = written."conversationId"
   RETURNING written.id, written.content, written.status, written.citations`,
);

/** Writes the turn's answer if it is still pending; the message as written, or null when there was nothing to write. */
export async function finishChatTurn(db: Db, runId: string): Promise<StoredChatMessage | null> {
  const pool = poolOf(db);
  const found = await pool.query(SELECT_PENDING_ANSWER([runId]));
  if (!found.rows.length) return null;
  const answer = PendingAnswerSchema.parse(found.rows[0]);
  const status = answer.runStatus === null ? "failed" : MESSAGE_STATUS[answer.runStatus];
  if (!status) return null;
  // Without sub-workflow runs, the run's own steps came with the answer: no second statement.
  const { own: steps, spoken } = answer.hasChildren ? await turnSteps(pool, runId, true) : { own: answer.steps, spoken: answer.steps };
  const content = turnAnswer(answerTexts(spoken), () => (answer.runStatus === "succeeded" ? endOutputText(answer.output) : ""));
  const citations = citationsOf(spoken);
  const citationsParam = citations.length ? JSON.stringify(citations) : null;
  const graph = answer.runStatus === "succeeded" ? readRunGraph(answer.graph, answer.workflowVersionId) : null;
  const names = graph?.ok ? (conversationOf(graph.graph, nodeRegistry)?.variables ?? []) : [];
  const values = [answer.id, status, content, citationsParam];
  const written = await pool.query(names.length ? WRITE_ANSWER_AND_VARIABLES([...values, JSON.stringify(assignedVariables(names, steps))]) : WRITE_ANSWER(values));
  return written.rows.length ? StoredMessageSchema.parse(written.rows[0]) : null;
}
