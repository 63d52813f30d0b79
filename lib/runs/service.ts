import { randomUUID } from "node:crypto";
import { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { validateRunInputs } from "@/lib/engine/inputs";
import { hasErrors, usesModelAliases, validateGraph } from "@/lib/engine/validate";
import { nodeRegistry } from "@/lib/nodes/registry";
import { enqueueRun } from "@/lib/queue/runs-queue";
import type { RunOrigin } from "./initiator";
import { runStartedAuditValues } from "./audit";
import { insertRunRow, type NewRun } from "./run-insert";
import { STEP_ORDER } from "./step-order";
import { assertWithinBudget } from "@/lib/limits/budgets";
import { ServiceError, forbidden, notFound } from "@/lib/services/errors";
import { getWorkflow } from "@/lib/workflows/service";
import { modelAliasNames } from "@/lib/providers/aliases";

export const StartRunSchema = z.object({ inputs: z.record(z.string(), z.unknown()).default({}) });

/**
 * Starts a run of a workflow's current draft. The Run row (with the frozen graph) is written
 * before the job is queued, so PostgreSQL always knows about every run Redis carries.
 */
export async function startRun(member: Member, workflowId: string, input: z.input<typeof StartRunSchema>): Promise<{ runId: string }> {
  requirePermission(member, "run.start");
  const { inputs } = StartRunSchema.parse(input);
  const workflow = await getWorkflow(member, workflowId);
  return createAndEnqueueRun(member, { workflowId: workflow.id, workflowName: workflow.name, graph: workflow.graph, inputs, origin: { trigger: "editor" } });
}

/**
 * Published versions whose graph passed validation without naming a model alias: such a result
 * depends only on the immutable version and this process's node registry, so it is kept (the API
 * runs the same version over and over). Bounded; the oldest entry leaves first.
 */
const checkedVersions = new Set<string>();
const CHECKED_VERSIONS_MAX = 1_000;

async function checkGraph(workspaceId: string, run: { workflowId: string; graph: Graph; workflowVersionId?: string | null }): Promise<void> {
  const versionId = run.workflowVersionId;
  if (versionId && checkedVersions.has(versionId)) return;
  // The aliases are only read when a node names one (most graphs do not: one statement saved per run).
  const aliases = usesModelAliases(run.graph);
  const modelAliases = aliases ? await modelAliasNames(workspaceId) : new Set<string>();
  const problems = validateGraph(run.graph, nodeRegistry, { modelAliases, workflowId: run.workflowId });
  if (hasErrors(problems)) {
    throw new ServiceError("invalid_graph", "The workflow has problems to fix before it can run.", {
      problems: problems.filter((p) => p.severity === "error"),
    });
  }
  if (!versionId || aliases) return;
  if (checkedVersions.size >= CHECKED_VERSIONS_MAX) checkedVersions.delete(checkedVersions.values().next().value!);
  checkedVersions.add(versionId);
}

export async function createAndEnqueueRun(
  member: Member,
  run: {
    workflowId: string;
    workflowName: string;
    graph: Graph;
    inputs: Record<string, unknown>;
    workflowVersionId?: string | null;
    id?: string;
    /** What started it (and the API key, if any); `member` is recorded as the initiating member. */
    origin: RunOrigin;
  },
  options: {
    /**
     * Writes the run row and its audit entry together with rows that must reference the run (a
     * chat turn's messages), in one statement (RUN_WITH_AUDIT, run-insert.ts): all of them or none,
     * and all before the run's job is queued, so the worker always finds them.
     */
    writeRun?: (run: NewRun, audit: unknown[]) => Promise<void>;
    /**
     * The caller answers only once the run has ended (a synchronous API call), so its row need not
     * be on disk before the run is queued: the run's durable end flushes it (run-insert.ts).
     */
    answersAfterEnd?: boolean;
    /**
     * The caller waits for the run's end and answers with its view (lib/api/wait.ts): the job asks
     * for the view with the end message, so the caller need not read it. Implied by answersAfterEnd.
     */
    endView?: boolean;
  } = {},
): Promise<{ runId: string }> {
  await checkGraph(member.workspaceId, run);
  // A spent monthly budget refuses new runs (402 budget_exhausted); runs in flight go on.
  await assertWithinBudget(member.workspaceId, run.workflowId);
  const checked = validateRunInputs(run.graph, nodeRegistry, run.inputs);
  if (!checked.ok) {
    throw new ServiceError("invalid_input", "Some inputs are missing or have the wrong type.", { problems: checked.problems });
  }
  const runId = run.id ?? randomUUID();
  // The `run.started` audit entry is written by the run's own INSERT: both or neither.
  const audit = await runStartedAuditValues(member, { id: runId, workflowName: run.workflowName }, { workflowId: run.workflowId, versionId: run.workflowVersionId ?? null });
  const row: NewRun = {
    id: runId,
    workspaceId: member.workspaceId,
    workflowId: run.workflowId,
    workflowName: run.workflowName,
    workflowVersionId: run.workflowVersionId ?? null,
    graph: run.graph,
    inputs: checked.inputs,
    // A member without a user (a workflow tool whose owner is gone) records no one rather than "".
    createdById: member.userId || null,
    origin: run.origin,
  };
  await (options.writeRun ? options.writeRun(row, audit) : insertRunRow(row, audit, { flush: !options.answersAfterEnd }));
  // If Redis is down this throws and the run stays `queued` in PostgreSQL; the worker's
  // reconciler enqueues it when it starts, so the run is not lost.
  await enqueueRun(runId, undefined, { view: options.endView ?? options.answersAfterEnd });
  return { runId };
}

export interface RunSnapshot {
  run: {
    id: string;
    status: string;
    workflowId: string | null;
    workflowName: string;
    output: unknown;
    error: unknown;
    createdAt: Date;
    startedAt: Date | null;
    finishedAt: Date | null;
    totalTokens: number;
  };
  steps: {
    nodeId: string;
    nodeType: string;
    iteration: number;
    status: string;
    output: unknown;
    error: unknown;
    branch: string | null;
    startedAt: Date;
    finishedAt: Date | null;
    /** A pinned output was used, or the node was disabled (editor runs): what live step events call `origin`. */
    origin?: "pinned" | "disabled";
  }[];
}

const originOf = (detail: unknown): "pinned" | "disabled" | undefined => {
  const flags = detail && typeof detail === "object" ? (detail as { pinned?: unknown; disabled?: unknown }) : {};
  return flags.pinned === true ? "pinned" : flags.disabled === true ? "disabled" : undefined;
};

/** The current state of a run as PostgreSQL knows it: what a late watcher starts from. */
export async function getRunSnapshot(member: Member, runId: string): Promise<RunSnapshot> {
  const run = await db().run.findFirst({
    where: { id: runId, workspaceId: member.workspaceId },
    select: {
      id: true,
      status: true,
      workflowId: true,
      workflowName: true,
      output: true,
      error: true,
      createdAt: true,
      startedAt: true,
      finishedAt: true,
      totalTokens: true,
      steps: {
        orderBy: STEP_ORDER,
        select: { nodeId: true, nodeType: true, iteration: true, status: true, output: true, error: true, branch: true, startedAt: true, finishedAt: true, detail: true },
      },
    },
  });
  if (!run) throw notFound("Run");
  const { steps, ...rest } = run;
  // A watcher who connects after a fast run sees pinned and disabled steps as such too.
  return { run: rest, steps: steps.map(({ detail, ...step }) => ({ ...step, ...(originOf(detail) ? { origin: originOf(detail) } : {}) })) };
}

export const isTerminalStatus = (status: string) => status === "succeeded" || status === "failed" || status === "cancelled";
