import { z } from "zod";
import type { Member } from "@/lib/auth/member";
import { requirePermission } from "@/lib/auth/permissions";
import { db } from "@/lib/db/client";
import type { Graph } from "@/lib/engine/graph";
import { notFound } from "@/lib/services/errors";
import { diffGraphs, type GraphDiff } from "./diff";
import { getWorkflow, saveGraph } from "./service";
import { findVersion, listVersions, type VersionSummary } from "./versions";

/**
 * The editor's Versions panel: published versions with their authors, the semantic diff between
 * two versions or a version and the draft (diff.ts), and restoring a version into the draft.
 */

export interface VersionListItem extends VersionSummary {
  author: { id: string; name: string } | null;
}

/** Every version, newest first, with the publisher's name ("Former member" once they are gone). */
export async function listVersionsWithAuthors(member: Member, workflowId: string): Promise<VersionListItem[]> {
  const versions = await listVersions(member, workflowId);
  const ids = [...new Set(versions.flatMap((v) => (v.createdById ? [v.createdById] : [])))];
  const users = ids.length ? await db().user.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } }) : [];
  const names = new Map(users.map((u) => [u.id, u.name] as const));
  return versions.map((v) => ({ ...v, author: v.createdById ? { id: v.createdById, name: names.get(v.createdById) ?? "Former member" } : null }));
}

/** A version number, or `draft` for the workflow's current draft. */
export const VersionRefSchema = z.union([z.literal("draft"), z.coerce.number().int().min(1).max(1_000_000)]);
export type VersionRef = z.infer<typeof VersionRefSchema>;

export const DiffQuerySchema = z.object({ from: VersionRefSchema, to: VersionRefSchema.default("draft") });

async function graphOf(member: Member, workflowId: string, ref: VersionRef): Promise<Graph> {
  if (ref === "draft") return (await getWorkflow(member, workflowId)).graph;
  const version = await findVersion(member, workflowId, ref);
  if (!version) throw notFound(`Version ${ref}`);
  return version.graph;
}

/** The version's graph → { version, note, createdAt, graph, … }; 404 when there is no such version. */
export async function versionWithGraph(member: Member, workflowId: string, version: number) {
  requirePermission(member, "workflow.read");
  const found = await findVersion(member, workflowId, version);
  if (!found) throw notFound(`Version ${version}`);
  return found;
}

/** What changed from `from` to `to` (each a version number or the draft). */
export async function diffVersions(member: Member, workflowId: string, query: z.infer<typeof DiffQuerySchema>): Promise<{ from: VersionRef; to: VersionRef; diff: GraphDiff }> {
  requirePermission(member, "workflow.read");
  const [before, after] = await Promise.all([graphOf(member, workflowId, query.from), graphOf(member, workflowId, query.to)]);
  return { from: query.from, to: query.to, diff: diffGraphs(before, after) };
}

export const RestoreSchema = z.object({ revision: z.number().int().min(0).max(2 ** 31 - 1) });

/**
 * Copies a version's graph into the draft through the normal graph save (so a stale `revision` is
 * a 409 conflict and the edit is audited like any other) → { revision, graph }.
 */
export async function restoreVersion(member: Member, workflowId: string, version: number, revision: number): Promise<{ revision: number; graph: Graph }> {
  requirePermission(member, "workflow.edit");
  const found = await findVersion(member, workflowId, version);
  if (!found) throw notFound(`Version ${version}`);
  const saved = await saveGraph(member, workflowId, { graph: found.graph, revision });
  return { revision: saved.revision, graph: found.graph };
}
