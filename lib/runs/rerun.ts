import { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import { GraphSchema, type Graph } from "@/lib/engine/graph";
import { validateRunInputs } from "@/lib/engine/inputs";
import { hasErrors, validateGraph } from "@/lib/engine/validate";
import { Prisma } from "@/lib/generated/prisma/client";
import { assertWithinBudget } from "@/lib/limits/budgets";
import { nodeRegistry } from "@/lib/nodes/registry";
import { enqueueRun } from "@/lib/queue/runs-queue";
import { ServiceError, forbidden, notFound } from "@/lib/services/errors";
import { canonicalJson as canonical } from "@/lib/utils";
import { auditRun } from "./audit";

/**
 * Resume and re-run: a new run linked to an earlier one (`sourceRunId`, `sourceKind`) whose
 * reusable steps are copied (marked `reusedFromStepId`) before it is queued. The engine reads
 * copied steps back like steps of a crashed run, so they are never executed again.
 *
 * Which steps are reused: a succeeded step of the source run whose node still exists in the new
 * run's graph with the same type and configuration, and none of whose ancestors executes again.
 * Seeds that execute again: nodes whose type or configuration changed (or that are new), nodes
 * whose step did not succeed (failed, waiting, never reached), and for a re-run the chosen node;
 * everything downstream of a seed executes too. Skipped steps are not copied: the engine decides
 * skips again from the (reused) branches, so it reaches the same decision.
 *
 * Copied steps carry zero tokens and no cost: the source run already counted them, and a run's
 * totals are the sum of its own step rows, so nothing is counted twice.
 */

export interface ResumeOptions {
  /**
   * Run the workflow as it is now (default): the current draft for a draft run, the latest
   * published version for a run of a version. False keeps the source run's frozen graph.
   */
  useLatestGraph?: boolean;
}

const sourceSelect = {
  id: true,
  workspaceId: true,
  status: true,
  workflowId: true,
  workflowVersionId: true,
  workflowName: true,
  graph: true,
  inputs: true,
  steps: true,
} satisfies Prisma.RunSelect;
type SourceRun = Prisma.RunGetPayload<{ select: typeof sourceSelect }>;

async function loadSource(member: Member, runId: string): Promise<SourceRun> {
  requirePermission(member, "run.start");
  const run = await db().run.findFirst({ where: { id: runId, workspaceId: member.workspaceId }, select: sourceSelect });
  if (!run) throw notFound("Run");
  return run;
}

/** The graph the new run executes, and the version it belongs to (null for drafts). */
async function graphFor(source: SourceRun, useLatest: boolean): Promise<{ graph: Graph; workflowVersionId: string | null; workflowName: string }> {
  const frozen = { graph: GraphSchema.parse(source.graph), workflowVersionId: source.workflowVersionId, workflowName: source.workflowName };
  if (!useLatest || !source.workflowId) return frozen;
  if (source.workflowVersionId) {
    const latest = await db().workflowVersion.findFirst({ where: { workflowId: source.workflowId }, orderBy: { version: "desc" } });
    return latest ? { graph: GraphSchema.parse(latest.graph), workflowVersionId: latest.id, workflowName: source.workflowName } : frozen;
  }
  const workflow = await db().workflow.findUnique({ where: { id: source.workflowId }, select: { graph: true, name: true } });
  return workflow ? { graph: GraphSchema.parse(workflow.graph), workflowVersionId: null, workflowName: workflow.name } : frozen;
}


const sameNode = (a: Graph["nodes"][number], b: Graph["nodes"][number]): boolean =>
  a.type === b.type && canonical(a.data) === canonical(b.data) && (a as { parentId?: unknown }).parentId === (b as { parentId?: unknown }).parentId;

/**
 * Node ids whose steps may be copied, given the seeds that must execute again. Pure, so the
 * rule is unit-tested without a database.
 */
export function reusableNodes(input: {
  graph: Graph;
  sourceGraph: Graph;
  /** Status of each node's step in the source run (iteration 0, or any iteration for loop bodies). */
  sourceStatus: ReadonlyMap<string, string>;
  /** Re-run: this node executes again, and everything after it. */
  fromNodeId?: string;
}): Set<string> {
  const { graph, sourceGraph, sourceStatus } = input;
  const before = new Map(sourceGraph.nodes.map((n) => [n.id, n] as const));
  const execute = new Set<string>();
  for (const node of graph.nodes) {
    const old = before.get(node.id);
    const status = sourceStatus.get(node.id);
    if (!old || !sameNode(old, node)) execute.add(node.id);
    else if (status !== "succeeded" && status !== "skipped") execute.add(node.id);
  }
  if (input.fromNodeId) execute.add(input.fromNodeId);

  const out = new Map<string, string[]>();
  for (const edge of graph.edges) out.set(edge.source, [...(out.get(edge.source) ?? []), edge.target]);
  const parentOf = new Map(graph.nodes.map((n) => [n.id, (n as { parentId?: string }).parentId] as const));
  const childrenOf = new Map<string, string[]>();
  for (const [id, parent] of parentOf) if (parent) childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), id]);

  // Downstream of a seed executes again; so does a loop whose body does, and the body of a loop that does.
  const queue = [...execute];
  const mark = (id: string) => {
    if (!execute.has(id)) {
      execute.add(id);
      queue.push(id);
    }
  };
  while (queue.length > 0) {
    const id = queue.pop()!;
    for (const next of out.get(id) ?? []) mark(next);
    for (const child of childrenOf.get(id) ?? []) mark(child);
    const parent = parentOf.get(id);
    if (parent) mark(parent);
  }
  return new Set(graph.nodes.filter((n) => !execute.has(n.id) && sourceStatus.get(n.id) === "succeeded").map((n) => n.id));
}

function statusByNode(steps: SourceRun["steps"]): Map<string, string> {
  // A node counts as succeeded only when every recorded iteration succeeded.
  const status = new Map<string, string>();
  for (const step of steps) {
    const prev = status.get(step.nodeId);
    status.set(step.nodeId, prev === undefined || prev === step.status ? step.status : "mixed");
  }
  return status;
}

const json = (value: unknown) => (value === null || value === undefined ? Prisma.DbNull : (value as Prisma.InputJsonValue));

async function derive(
  member: Member,
  source: SourceRun,
  kind: "resume" | "rerun",
  target: { graph: Graph; workflowVersionId: string | null; workflowName: string },
  fromNodeId?: string,
): Promise<{ runId: string; reusedSteps: number }> {
  const problems = validateGraph(target.graph, nodeRegistry);
  if (hasErrors(problems)) {
    throw new ServiceError("invalid_graph", "The workflow has problems to fix before it can run.", {
      problems: problems.filter((p) => p.severity === "error"),
    });
  }
  const checked = validateRunInputs(target.graph, nodeRegistry, source.inputs ?? {});
  if (!checked.ok) {
    throw new ServiceError("invalid_input", "The original run's inputs no longer fit the workflow's Start node.", { problems: checked.problems });
  }
  const reuse = reusableNodes({
    graph: target.graph,
    sourceGraph: GraphSchema.parse(source.graph),
    sourceStatus: statusByNode(source.steps),
    fromNodeId,
  });
  const copied = source.steps.filter((s) => s.status === "succeeded" && reuse.has(s.nodeId));
  await assertWithinBudget(member.workspaceId, source.workflowId);
  const runId = await db().$transaction(async (tx) => {
    const row = await tx.run.create({
      data: {
        workspaceId: member.workspaceId,
        workflowId: source.workflowId,
        workflowName: target.workflowName,
        workflowVersionId: target.workflowVersionId,
        graph: target.graph as Prisma.InputJsonValue,
        inputs: checked.inputs as Prisma.InputJsonValue,
        createdById: member.userId,
        trigger: kind,
        sourceRunId: source.id,
        sourceKind: kind,
        sourceNodeId: fromNodeId ?? null,
      },
      select: { id: true },
    });
    if (copied.length > 0) {
      await tx.runStep.createMany({
        data: copied.map((s) => ({
          runId: row.id,
          nodeId: s.nodeId,
          nodeType: s.nodeType,
          iteration: s.iteration,
          status: "succeeded" as const,
          input: json(s.input),
          output: json(s.output),
          error: json(s.error),
          detail: json(s.detail),
          branch: s.branch,
          attempt: s.attempt,
          reusedFromStepId: s.id,
          // The original times keep the step order, which workflow variables are rebuilt in.
          startedAt: s.startedAt,
          finishedAt: s.finishedAt,
        })),
      });
    }
    return row.id;
  });
  await enqueueRun(runId);
  const metadata = { sourceRunId: source.id, fromNodeId: fromNodeId ?? null, reusedSteps: copied.length };
  await auditRun(member, kind === "resume" ? "run.resumed" : "run.rerun", { id: runId, workflowName: target.workflowName }, metadata);
  return { runId, reusedSteps: copied.length };
}

/**
 * Resumes a failed or cancelled run after a fix: a new run reuses every step that still holds
 * and executes the failed step and what follows it.
 */
export async function resumeRun(member: Member, runId: string, options: ResumeOptions = {}): Promise<{ runId: string; reusedSteps: number }> {
  const source = await loadSource(member, runId);
  if (source.status !== "failed" && source.status !== "cancelled") {
    throw new ServiceError("conflict", `Only failed or cancelled runs can be resumed; this run is ${source.status}.`);
  }
  return derive(member, source, "resume", await graphFor(source, options.useLatestGraph ?? true));
}

/**
 * Re-runs a finished run from one of its nodes: upstream steps are reused, the node and
 * everything after it execute again, on the source run's own graph unless `useLatestGraph`.
 */
export async function rerunFrom(
  member: Member,
  runId: string,
  nodeId: string,
  options: ResumeOptions = {},
): Promise<{ runId: string; reusedSteps: number }> {
  const source = await loadSource(member, runId);
  if (source.status !== "succeeded" && source.status !== "failed" && source.status !== "cancelled") {
    throw new ServiceError("conflict", `Only finished runs can be re-run; this run is ${source.status}.`);
  }
  const target = await graphFor(source, options.useLatestGraph ?? false);
  if (!target.graph.nodes.some((n) => n.id === nodeId)) {
    throw new ServiceError("invalid_request", `The workflow has no node "${nodeId}" to re-run from.`);
  }
  return derive(member, source, "rerun", target, nodeId);
}

export const ResumeRunSchema = z.object({ useLatestGraph: z.boolean().optional() });
export const RerunFromSchema = z.object({ nodeId: z.string().min(1).max(64), useLatestGraph: z.boolean().optional() });
