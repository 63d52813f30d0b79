import { z } from "zod";
import type { Db } from "@/lib/db/client";
import { graphSecretRefs, secretNamesIn } from "./refs";

/**
 * "Used by" on the Secrets page: which workflow drafts and published versions (and which of their
 * nodes), tools and tool sources (OpenAPI auth, MCP env/headers) name each secret. Computed by
 * scanning what is stored, with the one reference parser of lib/secrets/refs.ts.
 */

export interface SecretUse {
  kind: "workflow" | "version" | "tool" | "source";
  id: string;
  /** The workflow, tool or source name (a version: "<workflow> v3"). */
  name: string;
  /** Workflows and versions: the nodes that name the secret. */
  nodeIds?: string[];
}

const GraphNodesSchema = z.object({ nodes: z.array(z.object({ id: z.string(), type: z.string(), data: z.unknown() })) });

function graphUses(graph: unknown, base: Omit<SecretUse, "nodeIds">, into: Map<string, SecretUse[]>): void {
  const parsed = GraphNodesSchema.safeParse(graph);
  if (!parsed.success) return;
  const nodesByName = new Map<string, string[]>();
  for (const ref of graphSecretRefs(parsed.data)) {
    for (const name of ref.names) nodesByName.set(name, [...(nodesByName.get(name) ?? []), ref.nodeId]);
  }
  for (const [name, nodeIds] of nodesByName) add(into, name, { ...base, nodeIds });
}

function add(into: Map<string, SecretUse[]>, name: string, use: SecretUse): void {
  into.set(name, [...(into.get(name) ?? []), use]);
}

/** Every stored reference of the workspace, by secret name. */
export async function secretUsage(db: Db, workspaceId: string): Promise<Map<string, SecretUse[]>> {
  const [workflows, versions, tools, sources] = await Promise.all([
    db.workflow.findMany({ where: { workspaceId }, select: { id: true, name: true, graph: true } }),
    db.workflowVersion.findMany({ where: { workflow: { workspaceId } }, select: { id: true, version: true, graph: true, workflow: { select: { name: true } } } }),
    db.tool.findMany({ where: { workspaceId }, select: { id: true, name: true, config: true } }),
    db.toolSource.findMany({ where: { workspaceId }, select: { id: true, name: true, config: true } }),
  ]);
  const uses = new Map<string, SecretUse[]>();
  for (const w of workflows) graphUses(w.graph, { kind: "workflow", id: w.id, name: w.name }, uses);
  for (const v of versions) graphUses(v.graph, { kind: "version", id: v.id, name: `${v.workflow.name} v${v.version}` }, uses);
  for (const t of tools) for (const name of secretNamesIn(t.config)) add(uses, name, { kind: "tool", id: t.id, name: t.name });
  for (const s of sources) for (const name of secretNamesIn(s.config)) add(uses, name, { kind: "source", id: s.id, name: s.name });
  return uses;
}
