import { poolOf, type Db } from "@/lib/db/client";
import { stepOrderSql } from "@/lib/runs/step-order";
import { retried } from "@/lib/db/retry";
import { ALIAS_PROVIDER_ID } from "@/lib/models/model-ref";

/**
 * Everything a finished run's trace is built from, read from PostgreSQL (never from one worker's
 * memory: a run may have moved between workers or resumed after a crash, and its step rows are
 * the only complete record of it).
 */
export async function readRunRecord(db: Db, runId: string) {
  const run = await retried(() =>
    db.run.findUnique({
      where: { id: runId },
      select: {
        id: true,
        workspaceId: true,
        workflowId: true,
        workflowName: true,
        workflowVersionId: true,
        workflowVersion: { select: { version: true } },
        graph: true,
        status: true,
        error: true,
        promptTokens: true,
        completionTokens: true,
        totalTokens: true,
        cost: true,
        sourceRunId: true,
        sourceKind: true,
        trigger: true,
        apiKeyId: true,
        parentRunId: true,
        parentNodeId: true,
        parentIteration: true,
        createdAt: true,
        startedAt: true,
        finishedAt: true,
        // A step that waited was re-opened when it resumed (its row's startedAt is the resume); its wait says when it began waiting.
        waits: { select: { nodeId: true, iteration: true, kind: true, status: true, createdAt: true } },
        // A sub-workflow step started its child before recording its wait: the child's creation bounds the step's start too.
        childRuns: { select: { parentNodeId: true, parentIteration: true, createdAt: true } },
      },
    }),
  );
  if (!run) return null;
  const steps = await readStepSummaries(db, runId);
  // The provider that answered (in the step's detail), or the configured one (a step that failed before an answer).
  const providerIds = [...new Set([...steps.map((step) => providerIdOf(step.detail)), ...configuredProviderIds(run.graph)].filter((id): id is string => id !== undefined))];
  const providers = providerIds.length
    ? await retried(() => db.modelProvider.findMany({ where: { workspaceId: run.workspaceId, id: { in: providerIds } }, select: { id: true, kind: true, preset: true } }))
    : [];
  // A sub-workflow's run belongs in its top-level run's trace: find that run (nesting is bounded).
  const rootRunId = run.parentRunId ? await topLevelRunId(db, run.parentRunId) : run.id;
  return { run: { ...run, steps }, providers, rootRunId };
}

export type RunRecord = NonNullable<Awaited<ReturnType<typeof readRunRecord>>>;
export type RunRecordRow = RunRecord["run"];

/** A step row as a trace needs it: `detail` without the prompts and answers (see readStepSummaries). */
export interface StepRecordRow {
  nodeId: string;
  nodeType: string;
  iteration: number;
  status: "running" | "waiting" | "succeeded" | "failed" | "skipped";
  error: unknown;
  detail: unknown;
  branch: string | null;
  attempt: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: unknown;
  reusedFromStepId: string | null;
  startedAt: Date;
  finishedAt: Date | null;
}

/**
 * The run's steps in the order they started. Model steps keep their whole conversation in
 * `detail` (prompts, answers, an agent's messages and tool results: often far more than the rest
 * of the row), none of which a span exports, so PostgreSQL drops them before they are sent.
 */
async function readStepSummaries(db: Db, runId: string): Promise<StepRecordRow[]> {
  const result = await retried(() =>
    poolOf(db).query<StepRecordRow>(
      `SELECT "nodeId", "nodeType", iteration, status, error, branch, attempt, "promptTokens", "completionTokens", "totalTokens", cost,
          "reusedFromStepId", ("startedAt" AT TIME ZONE 'UTC') AS "startedAt", ("finishedAt" AT TIME ZONE 'UTC') AS "finishedAt",
          CASE WHEN jsonb_typeof(detail) = 'object' THEN
            (detail - 'messages' - 'input' - 'output') || CASE WHEN jsonb_typeof(detail->'turns') = 'array' THEN jsonb_build_object('turns',
              (SELECT jsonb_agg((t - 'messagesIn' - 'text') || jsonb_build_object('toolCalls',
                 (SELECT COALESCE(jsonb_agg(c - 'args' - 'result'), '[]'::jsonb) FROM jsonb_array_elements(CASE WHEN jsonb_typeof(t->'toolCalls') = 'array' THEN t->'toolCalls' ELSE '[]'::jsonb END) c)))
               FROM jsonb_array_elements(detail->'turns') t)) ELSE '{}'::jsonb END
          END AS detail
       FROM run_steps WHERE "runId" = $1 ORDER BY ${stepOrderSql()}`,
      [runId],
    ),
  );
  return result.rows;
}

/** The provider a model-calling step recorded in its detail (lib/nodes/llm/execute.ts, model-call.ts). */
export function providerIdOf(detail: unknown): string | undefined {
  const id = detail && typeof detail === "object" ? (detail as { providerId?: unknown }).providerId : undefined;
  return typeof id === "string" ? id : undefined;
}

/** Provider ids the graph's nodes are configured with (model aliases name no provider). */
function configuredProviderIds(graph: unknown): string[] {
  const nodes = (graph as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return [];
  return nodes.map((node) => providerIdOf((node as { data?: unknown } | null)?.data)).filter((id): id is string => id !== undefined && id !== ALIAS_PROVIDER_ID);
}

async function topLevelRunId(db: Db, parentRunId: string): Promise<string> {
  const rows = await retried(() =>
    db.$queryRaw<{ id: string }[]>`
      WITH RECURSIVE chain(id, "parentRunId", depth) AS (
        SELECT id, "parentRunId", 0 FROM runs WHERE id = ${parentRunId}
        UNION ALL
        SELECT r.id, r."parentRunId", c.depth + 1 FROM runs r JOIN chain c ON r.id = c."parentRunId" WHERE c.depth < 64
      )
      SELECT id FROM chain WHERE "parentRunId" IS NULL LIMIT 1`,
  );
  return rows[0]?.id ?? parentRunId;
}
