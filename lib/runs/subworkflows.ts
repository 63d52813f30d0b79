import type { Db } from "@/lib/db/client";
import { NodeError } from "@/lib/engine/errors";
import { GraphSchema } from "@/lib/engine/graph";
import { validateRunInputs } from "@/lib/engine/inputs";
import { LIMITS } from "@/lib/engine/limits";
import type { SubworkflowPort, SubworkflowRun } from "@/lib/engine/ports";
import { hasErrors, validateGraph } from "@/lib/engine/validate";
import type { Prisma } from "@/lib/generated/prisma/client";
import type { ChildOutcome } from "@/lib/nodes/subworkflow/definition";
import { nodeRegistry } from "@/lib/nodes/registry";
import { enqueueRun } from "@/lib/queue/runs-queue";
import { ServiceError } from "@/lib/services/errors";
import { resolveWait } from "./waits";

/**
 * Sub-workflow runs. A Sub-workflow step starts a child run (a published version of a workflow
 * of the same workspace) and waits for it like for a person: no worker is held. The child points
 * back at (parent run, node, iteration); when it ends, `notifyParent` resolves the parent's wait
 * with `{ childRunId, status, output, error }` and the parent is queued again.
 *
 * The child may end before the parent has recorded its wait (a fast child on another worker):
 * then there is no pending wait to resolve yet, so the parent settles it itself right before it
 * parks (`settleFinishedChildren`), and the run goes on instead of waiting for nothing.
 */

type ChildRow = { id: string; status: string; output: unknown; error: unknown; workflowName: string; workflowVersionId: string | null };

const TERMINAL = new Set(["succeeded", "failed", "cancelled"]);

function errorOf(value: unknown): { code: string; message: string } | null {
  if (!value || typeof value !== "object") return null;
  const v = value as Record<string, unknown>;
  return { code: typeof v.code === "string" ? v.code : "internal", message: typeof v.message === "string" ? v.message : "The run failed." };
}

async function versionNumber(db: Db, versionId: string | null): Promise<number> {
  if (!versionId) return 0;
  const row = await db.workflowVersion.findUnique({ where: { id: versionId }, select: { version: true } });
  return row?.version ?? 0;
}

async function view(db: Db, child: ChildRow): Promise<SubworkflowRun> {
  return {
    childRunId: child.id,
    workflowName: child.workflowName,
    version: await versionNumber(db, child.workflowVersionId),
    status: child.status as SubworkflowRun["status"],
    output: TERMINAL.has(child.status) ? ((child.output as Record<string, unknown> | null) ?? null) : undefined,
    error: child.status === "failed" ? errorOf(child.error) : child.status === "cancelled" ? { code: "cancelled", message: "The run was cancelled." } : undefined,
  };
}

const childSelect = { id: true, status: true, output: true, error: true, workflowName: true, workflowVersionId: true } satisfies Prisma.RunSelect;

/** The port the worker gives a run of `workspaceId`: child runs stay inside that workspace. */
export function createSubworkflowPort(db: Db, workspaceId: string, enqueue: (runId: string) => Promise<void> = (id) => enqueueRun(id)): SubworkflowPort {
  return {
    async start(request) {
      const key = { parentRunId: request.parentRunId, parentNodeId: request.parentNodeId, parentIteration: request.parentIteration };
      const created = await db.$transaction(async (tx) => {
        // One child per (parent, node, iteration), even if the step runs twice at once after a takeover.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`${key.parentRunId}:${key.parentNodeId}:${key.parentIteration}`}))`;
        const existing = await tx.run.findFirst({ where: key, select: childSelect });
        if (existing) return { child: existing, fresh: false };

        const parent = await tx.run.findFirst({ where: { id: request.parentRunId, workspaceId }, select: { depth: true, createdById: true, apiKeyId: true, apiKeyName: true } });
        if (!parent) throw new NodeError("internal", "The parent run is not in this workspace.");
        const depth = parent.depth + 1;
        if (depth > LIMITS.maxSubworkflowDepth) {
          throw new NodeError(
            "limit_exceeded",
            `Sub-workflows are nested ${depth} deep; the limit is ${LIMITS.maxSubworkflowDepth} (a workflow that calls itself must stop somewhere).`,
          );
        }
        const workflow = await tx.workflow.findFirst({ where: { id: request.workflowId, workspaceId }, select: { id: true, name: true } });
        if (!workflow) throw new NodeError("subworkflow_error", "The workflow this node runs does not exist (any more) in this workspace.");
        const version = await tx.workflowVersion.findFirst({
          where: { workflowId: workflow.id, ...(request.version !== undefined ? { version: request.version } : {}) },
          orderBy: { version: "desc" },
        });
        if (!version) {
          throw new NodeError(
            "subworkflow_error",
            request.version !== undefined
              ? `The workflow "${workflow.name}" has no published version ${request.version}.`
              : `The workflow "${workflow.name}" has no published version yet: publish it first.`,
          );
        }
        const graph = GraphSchema.parse(version.graph);
        if (hasErrors(validateGraph(graph, nodeRegistry))) {
          throw new NodeError("subworkflow_error", `Version ${version.version} of "${workflow.name}" is not a valid workflow.`);
        }
        const inputs = validateRunInputs(graph, nodeRegistry, request.inputs);
        if (!inputs.ok) {
          throw new NodeError("subworkflow_error", `The inputs for "${workflow.name}" do not fit: ${inputs.problems.map((p) => p.message).join(" ")}`);
        }
        const child = await tx.run.create({
          data: {
            workspaceId,
            workflowId: workflow.id,
            workflowVersionId: version.id,
            workflowName: workflow.name,
            graph: graph as Prisma.InputJsonValue,
            inputs: inputs.inputs as Prisma.InputJsonValue,
            // The child acts for whoever started the parent (the person, or the API key).
            createdById: parent.createdById,
            apiKeyId: parent.apiKeyId,
            apiKeyName: parent.apiKeyName,
            trigger: "subworkflow",
            ...key,
            depth,
          },
          select: childSelect,
        });
        return { child, fresh: true };
      });
      // Enqueue after commit; a queued child found again (the enqueue was lost) is enqueued again (same job id).
      if (created.fresh || created.child.status === "queued") await enqueue(created.child.id);
      return view(db, created.child);
    },
  };
}

function outcomeOf(child: ChildRow): ChildOutcome {
  return {
    childRunId: child.id,
    status: child.status as ChildOutcome["status"],
    output: child.status === "succeeded" ? ((child.output as Record<string, unknown> | null) ?? {}) : null,
    error: child.status === "failed" ? errorOf(child.error) : child.status === "cancelled" ? { code: "cancelled", message: "The run was cancelled." } : null,
  };
}

const ignorable = (error: unknown) => error instanceof ServiceError && (error.code === "not_found" || error.code === "conflict");

/**
 * Called when a run has reached a terminal status: if it is a child, resolves its parent's wait
 * (which queues the parent). No wait yet, or already resolved/cancelled: nothing to do.
 */
export async function notifyParent(db: Db, runId: string): Promise<void> {
  const child = await db.run.findUnique({ where: { id: runId }, select: { ...childSelect, parentRunId: true, parentNodeId: true, parentIteration: true } });
  if (!child?.parentRunId || !child.parentNodeId || !TERMINAL.has(child.status)) return;
  try {
    await resolveWait(
      { runId: child.parentRunId, nodeId: child.parentNodeId, iteration: child.parentIteration ?? 0 },
      { status: "answered", response: outcomeOf(child) },
      { db },
    );
  } catch (error) {
    if (!ignorable(error)) throw error;
  }
}

/**
 * Before a run parks: resolves its pending sub-workflow waits whose child already ended (the
 * child finished before the wait existed). Returns how many it resolved.
 */
export async function settleFinishedChildren(db: Db, runId: string): Promise<number> {
  const waits = await db.runWait.findMany({ where: { runId, kind: "subworkflow", status: "pending", childRunId: { not: null } }, select: { childRunId: true } });
  let settled = 0;
  for (const wait of waits) {
    const child = await db.run.findUnique({ where: { id: wait.childRunId! }, select: { id: true, status: true } });
    if (!child || !TERMINAL.has(child.status)) continue;
    await notifyParent(db, child.id);
    settled++;
  }
  return settled;
}

/** A published workflow as the Sub-workflow panel offers it: latest version and its Start inputs. */
export interface PublishedWorkflow {
  id: string;
  name: string;
  latestVersion: number;
  inputs: { name: string; type: string; required: boolean }[];
}

/** Workflows of the workspace with at least one published version, by name. */
export async function listPublishedWorkflows(db: Db, workspaceId: string): Promise<PublishedWorkflow[]> {
  const rows = await db.workflow.findMany({
    where: { workspaceId, versions: { some: {} } },
    orderBy: { name: "asc" },
    select: { id: true, name: true, versions: { orderBy: { version: "desc" }, take: 1, select: { version: true, graph: true } } },
  });
  return rows.map((row) => {
    const latest = row.versions[0]!;
    const graph = GraphSchema.safeParse(latest.graph);
    const start = graph.success ? graph.data.nodes.find((n) => nodeRegistry[n.type]?.role === "start") : undefined;
    const declared = Array.isArray(start?.data.inputs) ? (start.data.inputs as { name?: unknown; type?: unknown; required?: unknown }[]) : [];
    return {
      id: row.id,
      name: row.name,
      latestVersion: latest.version,
      inputs: declared
        .filter((i) => typeof i.name === "string")
        .map((i) => ({ name: i.name as string, type: typeof i.type === "string" ? i.type : "any", required: i.required !== false })),
    };
  });
}
