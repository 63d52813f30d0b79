import { stepWarnings, type StepWarning } from "@/lib/engine/warnings";
import { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { db, poolOf } from "@/lib/db/client";
import type { Cost } from "@/lib/engine/ports";
import { initiatorOf, type RunInitiator } from "./initiator";
import { ListRunsQuerySchema, RUN_STATUSES, runFilterSql, type ListRunsQuery } from "./run-search";
import { STEP_ORDER } from "./step-order";

/**
 * Read models for the run history pages. Every query is scoped to the member's workspace:
 * a run of another workspace is indistinguishable from one that does not exist.
 */

export { ListRunsQuerySchema, RUN_STATUSES, type ListRunsQuery };
export type RunStatus = (typeof RUN_STATUSES)[number];
export const ACTIVE_RUN_STATUSES: readonly RunStatus[] = ["queued", "running"];


/** Who started a run and how, as the list and the run page show it. */
export interface RunOriginView {
  /** lib/runs/initiator.ts RUN_TRIGGERS (text: rows may carry kinds newer than this build). */
  trigger: string;
  initiator: RunInitiator | null;
  /** The published version it ran; null for a draft. */
  version: number | null;
}

export interface RunListItem extends RunOriginView {
  id: string;
  status: RunStatus;
  workflowId: string | null;
  workflowName: string;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  totalTokens: number;
  /** Cost of the run's model calls by currency; null when no priced model ran (lib/runs/run-cost.ts). */
  cost: Cost | null;
  /** Problems its steps survived (lib/engine/warnings.ts), counted when the run stopped. */
  warnings: number;
  /** Set on a run made by resuming or re-running another one, and on a sub-workflow's child run. */
  sourceRunId: string | null;
  sourceKind: string | null;
  parentRunId: string | null;
  /** Set while a queued run waits for a limit (lib/limits): shown as "throttled: <reason>". */
  throttledReason: string | null;
  throttledUntil: Date | null;
}

export interface RunPage {
  runs: RunListItem[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** Error stored on a failed run or step: `{ code, message, nodeId? }`. */
export const StoredErrorSchema = z.object({
  code: z.string(),
  message: z.string(),
  nodeId: z.string().optional(),
});
export type StoredError = z.infer<typeof StoredErrorSchema>;

const CostSchema = z.record(z.string(), z.number());

/** A stored cost column or `detail.cost`; null when absent or unreadable. */
export function readCost(...values: unknown[]): Cost | null {
  for (const value of values) {
    const parsed = CostSchema.safeParse(value);
    if (parsed.success && Object.keys(parsed.data).length > 0) return parsed.data;
  }
  return null;
}

const UsageSchema = z.object({
  promptTokens: z.number(),
  completionTokens: z.number(),
  totalTokens: z.number(),
});

/** The trace an LLM step records in `detail` (lib/nodes/llm/execute.ts). */
export const LlmDetailSchema = z.object({
  model: z.string(),
  messages: z.array(z.object({ role: z.string(), content: z.string() })),
  finishReason: z.string().nullish(),
  usage: UsageSchema.optional(),
  temperature: z.number().nullish(),
  cost: CostSchema.optional(),
  /** Which provider answered, and the alias the node named (when it used one). */
  providerId: z.string().optional(),
  alias: z.string().optional(),
  attempts: z
    .array(z.object({ providerId: z.string(), model: z.string(), ok: z.boolean(), error: z.object({ code: z.string(), message: z.string() }).optional(), durationMs: z.number() }))
    .optional(),
});
export type LlmDetail = z.infer<typeof LlmDetailSchema>;

export interface RunStepView {
  id: string;
  nodeId: string;
  nodeType: string;
  /** The node's label in the run's frozen graph, when it has one. */
  label: string | null;
  /** The loop this step's node is inside (its steps are per item: `iteration` is the item's index). */
  loopId: string | null;
  iteration: number;
  status: "running" | "waiting" | "succeeded" | "failed" | "skipped";
  attempt: number;
  branch: string | null;
  input: unknown;
  output: unknown;
  error: StoredError | null;
  /** Parsed when the step is an LLM call; other node types keep theirs in `rawDetail`. */
  llm: LlmDetail | null;
  rawDetail: unknown;
  /** The step of an earlier run this one was copied from (resume / re-run), instead of executing. */
  reusedFromStepId: string | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: Cost | null;
  /** Problems the step survived (`detail.warnings`): a tool error an Agent did not recover from. */
  warnings: StepWarning[];
  startedAt: Date;
  finishedAt: Date | null;
  durationMs: number | null;
}

export interface RunDetail extends RunOriginView {
  id: string;
  status: RunStatus;
  workflowId: string | null;
  workflowName: string;
  inputs: unknown;
  output: unknown;
  error: StoredError | null;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cost: Cost | null;
  /** Problems its steps survived; a run still going counts its finished steps so far. */
  warnings: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
  durationMs: number | null;
  /** Set while a queued run waits for a limit (lib/limits). */
  throttledReason: string | null;
  throttledUntil: Date | null;
  steps: RunStepView[];
  lineage: RunLineage;
}

/** Runs linked to this one: where it came from (resume, re-run, parent) and what came from it. */
export interface RunLineage {
  source: { id: string; kind: string | null; nodeId: string | null } | null;
  derived: { id: string; kind: string | null; status: RunStatus; createdAt: Date }[];
  parent: { id: string; nodeId: string | null } | null;
  children: { id: string; nodeId: string | null; iteration: number | null; status: RunStatus; workflowName: string }[];
}

function durationOf(startedAt: Date | null, finishedAt: Date | null): number | null {
  return startedAt && finishedAt ? Math.max(0, finishedAt.getTime() - startedAt.getTime()) : null;
}

// Keyset cursor over (createdAt desc, id desc): stable while new runs arrive at the top.
function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString("base64url");
}

const CursorSchema = z.tuple([z.string().datetime(), z.string().min(1)]);

function decodeCursor(cursor: string): { createdAt: Date; id: string } | null {
  try {
    const parsed = CursorSchema.safeParse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return parsed.success ? { createdAt: new Date(parsed.data[0]), id: parsed.data[1] } : null;
  } catch {
    return null;
  }
}

const RunListRowSchema = z.object({
  id: z.string(),
  status: z.enum(RUN_STATUSES),
  workflowId: z.string().nullable(),
  workflowName: z.string(),
  createdAt: z.date(),
  startedAt: z.date().nullable(),
  finishedAt: z.date().nullable(),
  totalTokens: z.number(),
  cost: z.unknown(),
  warnings: z.number(),
  sourceRunId: z.string().nullable(),
  sourceKind: z.string().nullable(),
  parentRunId: z.string().nullable(),
  trigger: z.string(),
  createdById: z.string().nullable(),
  createdByName: z.string().nullable(),
  apiKeyId: z.string().nullable(),
  apiKeyName: z.string().nullable(),
  triggerRefId: z.string().nullable(),
  triggerRefName: z.string().nullable(),
  visitorId: z.string().nullable(),
  version: z.number().nullable(),
  throttledReason: z.string().nullable(),
  throttledUntil: z.date().nullable(),
});

/**
 * Runs of the member's workspace matching the search (lib/runs/run-search.ts), newest first, one
 * keyset page at a time. Plain SQL: the text search, duration and cost filters are not Prisma's.
 */
export async function listRuns(member: Member, query: ListRunsQuery = {}): Promise<RunPage> {
  const { cursor, limit, ...filters } = ListRunsQuerySchema.parse(query);
  const after = cursor ? decodeCursor(cursor) : null;
  if (cursor && !after) return { runs: [], nextCursor: null };
  const { where, params } = runFilterSql(member.workspaceId, filters, after);
  const { rows } = await poolOf(db()).query(
    `SELECT r.id, r.status::text AS status, r."workflowId", r."workflowName",
            r."createdAt" AT TIME ZONE 'UTC' AS "createdAt", r."startedAt" AT TIME ZONE 'UTC' AS "startedAt",
            r."finishedAt" AT TIME ZONE 'UTC' AS "finishedAt", r."totalTokens", r.cost, r.warnings, r."sourceRunId", r."sourceKind", r."parentRunId",
            r.trigger, r."createdById", u.name AS "createdByName", r."apiKeyId", r."apiKeyName", r."triggerRefId", r."triggerRefName", r."visitorId", v.version,
            r."throttledReason", r."throttledUntil" AT TIME ZONE 'UTC' AS "throttledUntil"
       FROM runs r
       LEFT JOIN workflow_versions v ON v.id = r."workflowVersionId"
       LEFT JOIN users u ON u.id = r."createdById"
      WHERE ${where}
      ORDER BY r."createdAt" DESC, r.id DESC
      LIMIT ${limit + 1}`,
    params,
  );
  const parsed = rows.map((row) => RunListRowSchema.parse(row));
  const page = parsed.slice(0, limit);
  const last = page[page.length - 1];
  return {
    runs: page.map((row) => ({
      id: row.id,
      status: row.status,
      workflowId: row.workflowId,
      workflowName: row.workflowName,
      createdAt: row.createdAt,
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
      durationMs: durationOf(row.startedAt, row.finishedAt),
      totalTokens: row.totalTokens,
      cost: readCost(row.cost),
      warnings: row.warnings,
      sourceRunId: row.sourceRunId,
      sourceKind: row.sourceKind,
      parentRunId: row.parentRunId,
      trigger: row.trigger,
      initiator: initiatorOf(row),
      version: row.version,
      throttledReason: row.throttledReason,
      throttledUntil: row.throttledUntil,
    })),
    nextCursor: parsed.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

function parseError(value: unknown): StoredError | null {
  if (value === null || value === undefined) return null;
  const parsed = StoredErrorSchema.safeParse(value);
  return parsed.success ? parsed.data : { code: "internal", message: JSON.stringify(value) };
}

function nodeLabels(graph: unknown): Map<string, string> {
  const labels = new Map<string, string>();
  const nodes = (graph as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return labels;
  for (const node of nodes as { id?: unknown; data?: { label?: unknown; title?: unknown } }[]) {
    const label = node.data?.label ?? node.data?.title;
    if (typeof node.id === "string" && typeof label === "string" && label.trim()) labels.set(node.id, label);
  }
  return labels;
}

/** Body node → its loop, from the run's frozen graph (`parentId`). */
function loopParents(graph: unknown): Map<string, string> {
  const parents = new Map<string, string>();
  const nodes = (graph as { nodes?: unknown } | null)?.nodes;
  if (!Array.isArray(nodes)) return parents;
  for (const node of nodes as { id?: unknown; parentId?: unknown }[]) {
    if (typeof node.id === "string" && typeof node.parentId === "string") parents.set(node.id, node.parentId);
  }
  return parents;
}

/** One run with every step in execution order, or null when absent or in another workspace. */
export async function getRunDetail(member: Member, runId: string): Promise<RunDetail | null> {
  const run = await db().run.findFirst({
    where: { id: runId, workspaceId: member.workspaceId },
    select: {
      id: true,
      status: true,
      workflowId: true,
      workflowName: true,
      graph: true,
      inputs: true,
      output: true,
      error: true,
      promptTokens: true,
      completionTokens: true,
      totalTokens: true,
      cost: true,
      warnings: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      throttledReason: true,
      throttledUntil: true,
      steps: { orderBy: STEP_ORDER },
      sourceRunId: true,
      sourceKind: true,
      sourceNodeId: true,
      parentRunId: true,
      parentNodeId: true,
      trigger: true,
      createdById: true,
      apiKeyId: true,
      apiKeyName: true,
      triggerRefId: true,
      triggerRefName: true,
      visitorId: true,
      workflowVersion: { select: { version: true } },
      derivedRuns: { orderBy: { createdAt: "asc" }, select: { id: true, sourceKind: true, status: true, createdAt: true } },
      childRuns: { orderBy: { createdAt: "asc" }, select: { id: true, parentNodeId: true, parentIteration: true, status: true, workflowName: true } },
    },
  });
  if (!run) return null;
  const creator = run.createdById && !run.apiKeyId ? await db().user.findUnique({ where: { id: run.createdById }, select: { name: true } }) : null;
  const labels = nodeLabels(run.graph);
  const loops = loopParents(run.graph);
  const stepWarningsById = new Map(run.steps.map((step) => [step.id, stepWarnings(step.detail)]));
  const ownWarnings = run.steps.filter((step) => !step.reusedFromStepId).reduce((sum, step) => sum + stepWarningsById.get(step.id)!.length, 0);
  return {
    id: run.id,
    status: run.status,
    workflowId: run.workflowId,
    workflowName: run.workflowName,
    inputs: run.inputs,
    output: run.output,
    error: parseError(run.error),
    promptTokens: run.promptTokens,
    completionTokens: run.completionTokens,
    totalTokens: run.totalTokens,
    cost: readCost(run.cost),
    // The column is written when the run stops; while it runs, its steps tell.
    warnings: Math.max(run.warnings, ownWarnings),
    createdAt: run.createdAt,
    startedAt: run.startedAt,
    finishedAt: run.finishedAt,
    durationMs: durationOf(run.startedAt, run.finishedAt),
    throttledReason: run.throttledReason,
    throttledUntil: run.throttledUntil,
    trigger: run.trigger,
    initiator: initiatorOf({ ...run, createdByName: creator?.name ?? null }),
    version: run.workflowVersion?.version ?? null,
    steps: run.steps.map((step) => {
      const llm = LlmDetailSchema.safeParse(step.detail);
      return {
        id: step.id,
        nodeId: step.nodeId,
        nodeType: step.nodeType,
        label: labels.get(step.nodeId) ?? null,
        loopId: loops.get(step.nodeId) ?? null,
        iteration: step.iteration,
        status: step.status,
        attempt: step.attempt,
        branch: step.branch,
        input: step.input,
        output: step.output,
        error: parseError(step.error),
        llm: llm.success ? llm.data : null,
        rawDetail: step.detail,
        reusedFromStepId: step.reusedFromStepId,
        promptTokens: step.promptTokens,
        completionTokens: step.completionTokens,
        totalTokens: step.totalTokens,
        // A step still running or just finished may have its cost only in the detail so far.
        cost: readCost(step.cost, (step.detail as { cost?: unknown } | null)?.cost),
        warnings: stepWarningsById.get(step.id)!,
        startedAt: step.startedAt,
        finishedAt: step.finishedAt,
        durationMs: durationOf(step.startedAt, step.finishedAt),
      };
    }),
    lineage: {
      source: run.sourceRunId ? { id: run.sourceRunId, kind: run.sourceKind, nodeId: run.sourceNodeId } : null,
      derived: run.derivedRuns.map((d) => ({ id: d.id, kind: d.sourceKind, status: d.status, createdAt: d.createdAt })),
      parent: run.parentRunId ? { id: run.parentRunId, nodeId: run.parentNodeId } : null,
      children: run.childRuns.map((c) => ({ id: c.id, nodeId: c.parentNodeId, iteration: c.parentIteration, status: c.status, workflowName: c.workflowName })),
    },
  };
}
