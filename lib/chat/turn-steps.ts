import type pg from "pg";
import { prepared } from "@/lib/db/prepared";
import type { Prisma } from "@/lib/generated/prisma/client";
import { TURN_TREE } from "./turn-sql";

/**
 * The finished steps of a turn's run and of its sub-workflow runs at any depth, as the answer is
 * read from them once the run has ended: by the chat's stored answer (finish-turn.ts) and by the
 * OpenAI endpoint and MCP tool calls (lib/channels/run-answer.ts). One statement either way.
 */

export type StepRow = { nodeType: string; output: Prisma.JsonValue; detail: Prisma.JsonValue };
/** A step of the turn's tree (the run and its sub-workflow runs). */
type TreeStepRow = StepRow & { runId: string };

/** Succeeded steps in the order they finished; `detail` only where citations live (a model step's holds its whole prompt). */
const SELECT_FINISHED_STEPS = prepared(
  "chat_finished_steps",
  `SELECT "nodeType", output, CASE WHEN "nodeType" = 'knowledge' THEN detail END AS detail
     FROM run_steps WHERE "runId" = $1 AND status = 'succeeded'
    ORDER BY "finishedAt" ASC, "startedAt" ASC`,
);

/**
 * The same for a turn with sub-workflow runs: the succeeded steps of the whole tree (bounded by
 * the nesting limit) in the order they ended, which is the order they spoke (inSpeakingOrder,
 * tree-order.ts). Outside the turn's own run only Answer outputs and the Knowledge steps'
 * retrievals (their citations) are read.
 */
const SELECT_TREE_FINISHED_STEPS = prepared(
  "chat_tree_finished_steps",
  `${TURN_TREE}
   SELECT s."runId", s."nodeType",
          CASE WHEN s."runId" = $1 OR s."nodeType" = 'answer' THEN s.output END AS output,
          CASE WHEN s."nodeType" = 'knowledge' THEN s.detail END AS detail
     FROM tree t JOIN run_steps s ON s."runId" = t.id
    WHERE s.status = 'succeeded'
    ORDER BY s."finishedAt" ASC, s."startedAt" ASC`,
);

/**
 * The turn's succeeded steps: its own (for conversation variables), and in the order they spoke,
 * sub-workflow runs' included, those that speak (Answer texts, Knowledge citations). `withChildren`: whether
 * sub-workflow runs may hang under it; without, only its own steps are read.
 */
export async function turnSteps(pool: pg.Pool, runId: string, withChildren: boolean): Promise<{ own: StepRow[]; spoken: StepRow[] }> {
  if (!withChildren) {
    const own = (await pool.query<StepRow>(SELECT_FINISHED_STEPS([runId]))).rows;
    return { own, spoken: own };
  }
  const rows = (await pool.query<TreeStepRow>(SELECT_TREE_FINISHED_STEPS([runId]))).rows;
  const spoken = rows.filter((s) => s.nodeType === "answer" || s.nodeType === "knowledge");
  return { own: rows.filter((s) => s.runId === runId), spoken };
}
