import { z } from "zod";
import { changeSummary } from "@/lib/audit/changes";
import { recordMemberAction, type AuditDetails } from "@/lib/audit/member-action";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { assertMayReferenceSecrets } from "@/lib/secrets/policy";
import { db } from "@/lib/db/client";
import { GraphSchema, emptyGraph, type Graph } from "@/lib/engine/graph";
import { MAX_INT32 } from "@/lib/engine/limits";
import { unknownConfigKeyProblems } from "@/lib/engine/validate";
import { nodeRegistry } from "@/lib/nodes/registry";
import { ServiceError, forbidden, notFound } from "@/lib/services/errors";
import { WorkflowNameSchema, WorkflowSlugSchema, slugFromName } from "./schemas";
import { isSlugConflict, withFreeSlug } from "./slug";
import type { Prisma } from "@/lib/generated/prisma/client";

export { WorkflowNameSchema } from "./schemas";
export const CreateWorkflowSchema = z.object({
  name: WorkflowNameSchema,
  description: z.string().max(2000).default(""),
  graph: GraphSchema.optional(),
  /** The slug wanted (an imported file's); taken from the name when absent, suffixed when in use. */
  slug: WorkflowSlugSchema.optional(),
});
/** The details dialog: name and description (workflow.edit), slug (workflow.edit), expose as tool (workflow.publish). */
export const RenameWorkflowSchema = z.object({
  name: WorkflowNameSchema,
  description: z.string().max(2000).optional(),
  slug: WorkflowSlugSchema.optional(),
  exposeAsTool: z.boolean().optional(),
});
export const SaveGraphSchema = z.object({ graph: GraphSchema, revision: z.number().int().min(0).max(MAX_INT32, "revision is out of range") });

export interface WorkflowListItem {
  id: string;
  name: string;
  description: string;
  slug: string;
  exposeAsTool: boolean;
  updatedAt: Date;
  nodeCount: number;
  lastRun: { id: string; status: string; createdAt: Date } | null;
}

export interface WorkflowView {
  id: string;
  name: string;
  description: string;
  slug: string;
  exposeAsTool: boolean;
  graph: Graph;
  revision: number;
  updatedAt: Date;
}

/** Stored graphs were validated on write; parse again so readers get the typed shape. */
/** Repeated autosaves by one person are one `workflow.edited` entry per this window. */
export const EDIT_COALESCE_MS = 10 * 60_000;

const auditWorkflow = (member: Member, action: string, workflow: { id: string; name: string }, details?: AuditDetails) =>
  recordMemberAction(member, action, { type: "workflow", id: workflow.id, label: workflow.name }, details);

export function readGraph(value: unknown): Graph {
  const parsed = GraphSchema.safeParse(value);
  return parsed.success ? parsed.data : emptyGraph();
}

export async function listWorkflows(member: Member): Promise<WorkflowListItem[]> {
  const rows = await db().workflow.findMany({
    where: { workspaceId: member.workspaceId },
    orderBy: { updatedAt: "desc" },
    select: {
      id: true,
      name: true,
      description: true,
      slug: true,
      exposeAsTool: true,
      updatedAt: true,
      graph: true,
      runs: { orderBy: { createdAt: "desc" }, take: 1, select: { id: true, status: true, createdAt: true } },
    },
  });
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    description: row.description,
    slug: row.slug,
    exposeAsTool: row.exposeAsTool,
    updatedAt: row.updatedAt,
    nodeCount: readGraph(row.graph).nodes.length,
    lastRun: row.runs[0] ?? null,
  }));
}

export async function getWorkflow(member: Member, id: string): Promise<WorkflowView> {
  const row = await db().workflow.findFirst({ where: { id, workspaceId: member.workspaceId } });
  if (!row) throw notFound("Workflow");
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    slug: row.slug,
    exposeAsTool: row.exposeAsTool,
    graph: readGraph(row.graph),
    revision: row.revision,
    updatedAt: row.updatedAt,
  };
}

/** `audit` names the entry: imports and duplicates are recorded as what they are, once. */
export async function createWorkflow(
  member: Member,
  input: z.input<typeof CreateWorkflowSchema>,
  audit: { action: string; metadata?: AuditDetails["metadata"] } = { action: "workflow.created" },
): Promise<{ id: string }> {
  requirePermission(member, "workflow.create");
  const data = CreateWorkflowSchema.parse(input);
  await assertMayReferenceSecrets(db(), member, data.graph);
  const row = await withFreeSlug(member.workspaceId, data.slug ?? slugFromName(data.name), (slug) =>
    db().workflow.create({
      data: {
        workspaceId: member.workspaceId,
        // Import and duplicate come through here too: whoever made the copy owns it.
        createdById: member.userId,
        name: data.name,
        slug,
        description: data.description,
        graph: (data.graph ?? emptyGraph()) as Prisma.InputJsonValue,
      },
      select: { id: true, name: true },
    }),
  );
  await auditWorkflow(member, audit.action, row, { metadata: audit.metadata });
  return { id: row.id };
}

export async function renameWorkflow(member: Member, id: string, input: z.input<typeof RenameWorkflowSchema>): Promise<void> {
  requirePermission(member, "workflow.edit");
  const data = RenameWorkflowSchema.parse(input);
  const select = { id: true, name: true, description: true, slug: true, exposeAsTool: true } as const;
  const before = await db().workflow.findFirst({ where: { id, workspaceId: member.workspaceId }, select });
  if (!before) throw notFound("Workflow");
  // Offering a workflow to MCP clients is a publishing decision, like publishing a version.
  if (data.exposeAsTool !== undefined && data.exposeAsTool !== before.exposeAsTool) requirePermission(member, "workflow.publish");
  const changes = Object.fromEntries(Object.entries(data).filter(([, value]) => value !== undefined));
  const result = await db()
    .workflow.updateMany({ where: { id, workspaceId: member.workspaceId }, data: changes })
    .catch((error: unknown) => {
      if (isSlugConflict(error)) throw new ServiceError("conflict", `The slug "${data.slug}" is already used by another workflow in this workspace.`);
      throw error;
    });
  if (result.count === 0) throw notFound("Workflow");
  const after = { ...before, ...changes };
  await auditWorkflow(member, "workflow.edited", after, {
    changes: changeSummary(before, after, { shown: ["name", "description", "slug", "exposeAsTool"] }),
  });
}

export async function duplicateWorkflow(member: Member, id: string): Promise<{ id: string }> {
  requirePermission(member, "workflow.create");
  const source = await getWorkflow(member, id);
  const copy = { name: `${source.name} (copy)`.slice(0, 120), description: source.description, graph: source.graph };
  return createWorkflow(member, copy, { action: "workflow.created", metadata: { duplicatedFrom: source.id } });
}

export async function deleteWorkflow(member: Member, id: string): Promise<void> {
  requirePermission(member, "workflow.delete");
  // Runs keep their frozen graph and workflow name; their workflowId becomes null.
  const before = await db().workflow.findFirst({ where: { id, workspaceId: member.workspaceId }, select: { id: true, name: true } });
  const result = await db().workflow.deleteMany({ where: { id, workspaceId: member.workspaceId } });
  if (result.count === 0 || !before) throw notFound("Workflow");
  await auditWorkflow(member, "workflow.deleted", before);
}

/** Refuses a draft holding node keys no node knows (they would be stored and never take effect). */
function assertNoUnknownKeys(graph: Graph): void {
  const problems = unknownConfigKeyProblems(graph, nodeRegistry);
  if (problems.length === 0) return;
  throw new ServiceError("invalid_graph", problems.map((p) => p.message).join(" "), { problems });
}

/**
 * Saves a draft graph if it is based on the latest revision (optimistic concurrency):
 * two tabs editing the same workflow never silently overwrite each other.
 * Drafts may be invalid (runs validate the graph they freeze), but never hold keys no node knows.
 */
export async function saveGraph(member: Member, id: string, input: z.input<typeof SaveGraphSchema>): Promise<{ revision: number }> {
  requirePermission(member, "workflow.edit");
  const data = SaveGraphSchema.parse(input);
  const saved = await db().workflow.findFirst({ where: { id, workspaceId: member.workspaceId }, select: { graph: true, name: true } });
  return writeDraft(db(), member, { id, name: saved?.name ?? "" }, data.graph, data.revision, saved?.graph);
}

export const staleRevision = (revision: number) =>
  new ServiceError("conflict", "This workflow was changed somewhere else since you opened it. Reload to get the latest version.", { revision });

/**
 * The write of both draft saves (whole graph, patch): refuses unknown keys and secrets above the
 * member's role, stores the graph if `revision` is still the latest, records the edit.
 * `database` may be a transaction (the patch reads and writes in one). `changed`: the part of
 * `graph` that is new (a patch's nodes); the rest was checked when it was saved.
 */
export async function writeDraft(
  database: Pick<Prisma.TransactionClient, "workflow">,
  member: Member,
  workflow: { id: string; name: string },
  graph: Graph,
  revision: number,
  previous: unknown,
  changed: Graph = graph,
): Promise<{ revision: number }> {
  assertNoUnknownKeys(changed);
  await assertMayReferenceSecrets(db(), member, changed, previous);
  const { id } = workflow;
  const result = await database.workflow.updateMany({
    where: { id, workspaceId: member.workspaceId, revision },
    data: { graph: graph as Prisma.InputJsonValue, revision: { increment: 1 } },
  });
  if (result.count === 1) {
    const details = { coalesceWithinMs: EDIT_COALESCE_MS, metadata: { revision: revision + 1, nodes: graph.nodes.length } };
    await auditWorkflow(member, "workflow.edited", workflow, details);
    return { revision: revision + 1 };
  }
  const current = await database.workflow.findFirst({ where: { id, workspaceId: member.workspaceId }, select: { revision: true } });
  if (!current) throw notFound("Workflow");
  throw staleRevision(current.revision);
}
