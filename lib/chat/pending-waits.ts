import { db } from "@/lib/db/client";
import { LIMITS } from "@/lib/engine/limits";

/** A pending approval or question of a chat turn's run, as the chat page shows it (a form or buttons). */
export interface ChatWait {
  id: string;
  nodeId: string;
  kind: "approval" | "question";
  request: unknown;
}

/** A chat turn's run with its sub-workflow runs (children, recursively): their states and the forms they wait for. */
export interface TurnTree {
  /** Every run of the tree (the turn's own and its sub-workflow runs). */
  runs: { id: string; status: string }[];
  /** The pending approvals and questions of any run of the tree, oldest first. */
  waits: ChatWait[];
}

type TreeRow = { root: string; runId: string; runStatus: string; waitId: string | null; nodeId: string | null; kind: string | null; request: unknown };

/**
 * The trees of these turns' runs, by turn run id, in one query. A Question or approval reached
 * inside a sub-workflow's child run belongs to the turn that started it: the chat shows it and
 * its owner answers it like one of the turn's own. The recursion is bounded by the nesting limit.
 */
export async function turnTrees(runIds: string[]): Promise<Map<string, TurnTree>> {
  const trees = new Map<string, TurnTree>();
  if (runIds.length === 0) return trees;
  const rows = await db().$queryRaw<TreeRow[]>`
    WITH RECURSIVE tree(root, id, status, depth) AS (
      SELECT id, id, status::text, 0 FROM runs WHERE id = ANY(${runIds}::text[])
      UNION ALL
      SELECT t.root, r.id, r.status::text, t.depth + 1 FROM runs r JOIN tree t ON r."parentRunId" = t.id WHERE t.depth < ${LIMITS.maxSubworkflowDepth}
    )
    SELECT t.root, t.id AS "runId", t.status AS "runStatus", w.id AS "waitId", w."nodeId", w.kind::text AS kind, w.request
    FROM tree t
    LEFT JOIN run_waits w ON w."runId" = t.id AND w.status = 'pending' AND w.kind IN ('approval', 'question')
    ORDER BY w."createdAt" NULLS LAST, w."nodeId", t.depth`;
  for (const row of rows) {
    const tree = trees.get(row.root) ?? { runs: [], waits: [] };
    trees.set(row.root, tree);
    if (!tree.runs.some((r) => r.id === row.runId)) tree.runs.push({ id: row.runId, status: row.runStatus });
    if (row.waitId) tree.waits.push({ id: row.waitId, nodeId: row.nodeId!, kind: row.kind as ChatWait["kind"], request: row.request });
  }
  return trees;
}

/** The pending approvals and questions of these turns' runs and their sub-workflow runs (what the chat shows as forms), by turn run id. */
export async function pendingWaitsOfRuns(runIds: string[]): Promise<Map<string, ChatWait[]>> {
  const trees = await turnTrees(runIds);
  return new Map([...trees].map(([runId, tree]) => [runId, tree.waits]));
}

/** Whether `runId` is `turnRunId` or one of its sub-workflow runs (walked up from the child, bounded by the nesting limit). */
export async function isRunOfTurn(runId: string, turnRunId: string): Promise<boolean> {
  if (runId === turnRunId) return true;
  const rows = await db().$queryRaw<{ id: string }[]>`
    WITH RECURSIVE chain(id, parent, depth) AS (
      SELECT id, "parentRunId", 0 FROM runs WHERE id = ${runId}
      UNION ALL
      SELECT r.id, r."parentRunId", c.depth + 1 FROM runs r JOIN chain c ON r.id = c.parent WHERE c.depth < ${LIMITS.maxSubworkflowDepth}
    )
    SELECT id FROM chain WHERE id = ${turnRunId}`;
  return rows.length > 0;
}
