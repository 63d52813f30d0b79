import { z } from "zod";
import { recordMemberAction } from "@/lib/audit/member-action";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import { GraphSchema, type Graph } from "@/lib/engine/graph";
import { withoutPins } from "@/lib/engine/pins";
import { hasErrors, validateGraph } from "@/lib/engine/validate";
import { Prisma } from "@/lib/generated/prisma/client";
import { nodeRegistry } from "@/lib/nodes/registry";
import { ServiceError, forbidden, notFound } from "@/lib/services/errors";
import { getWorkflow } from "./service";
import { modelAliasNames } from "@/lib/providers/aliases";

/**
 * Published versions: immutable snapshots of a workflow's draft. Rows are inserted once and never
 * updated, so a run of version N always executes exactly what was published as N, whatever
 * happened to the draft since.
 */

export const PublishSchema = z.object({ note: z.string().trim().max(500).optional() });

export interface VersionSummary {
  id: string;
  version: number;
  note: string | null;
  createdById: string | null;
  createdAt: Date;
}

export interface VersionWithGraph extends VersionSummary {
  workflowId: string;
  graph: Graph;
}

const summarySelect = { id: true, version: true, note: true, createdById: true, createdAt: true } as const;

/** Validates the draft (same rules as runs) and freezes it as the next version number. */
export async function publishWorkflow(member: Member, workflowId: string, note?: string): Promise<VersionSummary> {
  requirePermission(member, "workflow.publish");
  const workflow = await getWorkflow(member, workflowId);
  const problems = validateGraph(workflow.graph, nodeRegistry, { modelAliases: await modelAliasNames(member.workspaceId), workflowId });
  if (hasErrors(problems)) {
    throw new ServiceError("invalid_graph", "The workflow has problems to fix before it can be published.", {
      problems: problems.filter((p) => p.severity === "error"),
    });
  }
  // Two publishers racing for the same number: the unique (workflowId, version) index lets one
  // win; the other retries with the next number.
  for (let attempt = 0; ; attempt++) {
    const latest = await db().workflowVersion.findFirst({ where: { workflowId }, orderBy: { version: "desc" }, select: { version: true } });
    try {
      const published = await db().workflowVersion.create({
        data: {
          workflowId,
          version: (latest?.version ?? 0) + 1,
          // Pins are for test-runs of the draft: a version never carries one.
          graph: withoutPins(workflow.graph) as Prisma.InputJsonValue,
          note: note?.trim() || null,
          createdById: member.userId,
        },
        select: summarySelect,
      });
      const metadata = { version: published.version, versionId: published.id, note: published.note };
      await recordMemberAction(member, "workflow.published", { type: "workflow", id: workflowId, label: workflow.name }, { metadata });
      return published;
    } catch (error) {
      const duplicate = error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002";
      if (!duplicate || attempt >= 4) throw error;
    }
  }
}

/** Every version of a workflow, newest first (without graphs). */
export async function listVersions(member: Member, workflowId: string): Promise<VersionSummary[]> {
  await getWorkflow(member, workflowId); // 404 for other workspaces
  return db().workflowVersion.findMany({ where: { workflowId }, orderBy: { version: "desc" }, select: summarySelect });
}

/**
 * One version with its graph: the given number, or the latest when `version` is undefined.
 * Null when the workflow has no such version (or none at all); 404 when the workflow is not the caller's.
 */
export async function findVersion(member: Member, workflowId: string, version?: number): Promise<VersionWithGraph | null> {
  const row = await db().workflowVersion.findFirst({
    where: { workflowId, workflow: { workspaceId: member.workspaceId }, ...(version !== undefined ? { version } : {}) },
    orderBy: { version: "desc" },
  });
  if (!row) {
    const exists = await db().workflow.count({ where: { id: workflowId, workspaceId: member.workspaceId } });
    if (!exists) throw notFound("Workflow");
    return null;
  }
  return {
    id: row.id,
    workflowId: row.workflowId,
    version: row.version,
    note: row.note,
    createdById: row.createdById,
    createdAt: row.createdAt,
    graph: GraphSchema.parse(row.graph),
  };
}
