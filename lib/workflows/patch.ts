import type { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { LIMITS } from "@/lib/engine/limits";
import { ServiceError, notFound } from "@/lib/services/errors";
import { applyGraphPatch, PatchGraphSchema, type GraphPatch } from "./graph-patch";
import { readGraph, staleRevision, writeDraft } from "./service";

/**
 * Saves a change of the draft (lib/workflows/graph-patch.ts) instead of the whole graph: the
 * stored graph is read, patched and written in one transaction, under the same revision check
 * as a whole-graph save (409 on a stale revision); the row is locked meanwhile, so two patches
 * on the same revision never both apply. Only what the patch brings is checked (its nodes and
 * edges passed the schema with the request; unknown keys and secrets are checked on them): the
 * stored rest was checked when it was saved, which keeps a save of a 1,000-node graph small.
 */
export async function patchGraph(member: Member, id: string, input: z.input<typeof PatchGraphSchema>): Promise<{ revision: number }> {
  requirePermission(member, "workflow.edit");
  const { revision, patch } = PatchGraphSchema.parse(input);
  return db().$transaction(async (tx) => {
    // One round trip: lock the row and read what the patch applies to.
    const [row] = await tx.$queryRaw<{ revision: number; graph: unknown; name: string }[]>`SELECT revision, graph, name FROM workflows WHERE id = ${id} AND "workspaceId" = ${member.workspaceId} FOR UPDATE`;
    if (!row) throw notFound("Workflow");
    if (row.revision !== revision) throw staleRevision(row.revision);
    const applied = applyGraphPatch(storedGraph(row.graph), patch);
    if (!applied.ok) throw new ServiceError("invalid_request", applied.message);
    assertWithinLimits(applied.graph);
    return writeDraft(tx, member, { id, name: row.name }, applied.graph, revision, row.graph, changedPart(patch));
  });
}

/** Stored drafts passed GraphSchema when saved; a row that does not even look like a graph is read the careful way. */
function storedGraph(value: unknown): Graph {
  const shaped = typeof value === "object" && value !== null && Array.isArray((value as Graph).nodes) && Array.isArray((value as Graph).edges);
  return shaped ? (value as Graph) : readGraph(value);
}

function assertWithinLimits(graph: Graph): void {
  const over =
    graph.nodes.length > LIMITS.maxGraphNodes
      ? `A workflow has at most ${LIMITS.maxGraphNodes.toLocaleString("en")} nodes; the patched graph would have ${graph.nodes.length.toLocaleString("en")}.`
      : graph.edges.length > LIMITS.maxGraphEdges
        ? `A workflow has at most ${LIMITS.maxGraphEdges.toLocaleString("en")} connections; the patched graph would have ${graph.edges.length.toLocaleString("en")}.`
        : null;
  if (over) throw new ServiceError("invalid_request", over, { issues: [{ path: graph.nodes.length > LIMITS.maxGraphNodes ? "nodes" : "edges", message: over }] });
}

const changedPart = (patch: GraphPatch): Graph => ({ version: 1, nodes: patch.upsertNodes, edges: patch.upsertEdges, ...(patch.variables ? { variables: patch.variables } : {}) });
