import type { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import { GraphSchema } from "@/lib/engine/graph";
import { ServiceError, notFound } from "@/lib/services/errors";
import { applyGraphPatch, PatchGraphSchema } from "./graph-patch";
import { readGraph, staleRevision, writeDraft } from "./service";

/**
 * Saves a change of the draft (lib/workflows/graph-patch.ts) instead of the whole graph: the
 * stored graph is read, patched, validated like a whole-graph save and written in one
 * transaction, under the same revision check (409 on a stale revision). The row is locked for
 * the transaction, so two patches on the same revision never both apply.
 */
export async function patchGraph(member: Member, id: string, input: z.input<typeof PatchGraphSchema>): Promise<{ revision: number }> {
  requirePermission(member, "workflow.edit");
  const { revision, patch } = PatchGraphSchema.parse(input);
  return db().$transaction(async (tx) => {
    const locked = await tx.$queryRaw<{ revision: number }[]>`SELECT revision FROM "Workflow" WHERE id = ${id} AND "workspaceId" = ${member.workspaceId} FOR UPDATE`;
    if (locked.length === 0) throw notFound("Workflow");
    if (locked[0].revision !== revision) throw staleRevision(locked[0].revision);
    const row = await tx.workflow.findFirst({ where: { id, workspaceId: member.workspaceId }, select: { graph: true, name: true } });
    if (!row) throw notFound("Workflow");
    const applied = applyGraphPatch(readGraph(row.graph), patch);
    if (!applied.ok) throw new ServiceError("invalid_request", applied.message);
    const parsed = GraphSchema.safeParse(applied.graph);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message }));
      throw new ServiceError("invalid_request", `The patched graph is invalid: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`, { issues });
    }
    return writeDraft(tx, member, { id, name: row.name }, parsed.data, revision, row.graph);
  });
}
