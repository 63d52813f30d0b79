import { z } from "zod";
import type { Db } from "@/lib/db/client";
import type { Graph, GraphNode } from "@/lib/engine/graph";
import { type FileRef, type NameMapping, planByName } from "./name-refs";

/**
 * Model providers in workflow files, for the knowledge searches' rerank models: the Knowledge
 * retrieval node's `rerank` and the Agent's `knowledgeRerank` name a provider by id, and ids
 * belong to one workspace. An export lists each such provider's name; an import maps the id to
 * this workspace's provider of that name, and where there is none (or several) it clears the id and
 * leaves `unresolvedProvider` (the name) on the rerank setting: a validation error of the node
 * until someone picks a provider (lib/nodes/knowledge/rerank.ts). The same rules as knowledge bases
 * (lib/workflows/knowledge-refs.ts, lib/workflows/name-refs.ts).
 */

/** Which config field of which node type holds a `{ providerId, model }` rerank setting. */
const RERANK_FIELDS: Record<string, string> = { knowledge: "rerank", agent: "knowledgeRerank" };

const RerankRefSchema = z.object({ providerId: z.string().min(1) }).passthrough();

function rerankOf(node: GraphNode): { field: string; ref: z.infer<typeof RerankRefSchema> } | null {
  const field = RERANK_FIELDS[node.type];
  const parsed = field ? RerankRefSchema.safeParse(node.data[field]) : null;
  return field && parsed?.success ? { field, ref: parsed.data } : null;
}

/** Every provider id the graph's rerank settings name, with the nodes that do. */
function referencesOf(graph: Graph): Map<string, string[]> {
  const refs = new Map<string, string[]>();
  for (const node of graph.nodes) {
    const id = rerankOf(node)?.ref.providerId;
    if (id) refs.set(id, [...(refs.get(id) ?? []), node.id]);
  }
  return refs;
}

/** The names of the providers the graph's rerank settings use, for the export file (providers of the workflow's workspace only). */
export async function providersOfGraph(db: Db, workspaceId: string, graph: Graph): Promise<FileRef[]> {
  const ids = [...referencesOf(graph).keys()].filter((id) => z.string().uuid().safeParse(id).success);
  if (ids.length === 0) return [];
  return db.modelProvider.findMany({ where: { id: { in: ids }, workspaceId }, select: { id: true, name: true }, orderBy: { name: "asc" } });
}

/** The node with its rerank provider mapped, or cleared and named as unresolved. */
function remapNode(node: GraphNode, bySource: Map<string, NameMapping>): GraphNode {
  const rerank = rerankOf(node);
  const mapping = rerank ? bySource.get(rerank.ref.providerId) : undefined;
  if (!rerank || !mapping) return node;
  const { unresolvedProvider: _previous, ...ref } = rerank.ref;
  const mapped = mapping.targetId ? { ...ref, providerId: mapping.targetId } : { ...ref, providerId: "", unresolvedProvider: mapping.name };
  return { ...node, data: { ...node.data, [rerank.field]: mapped } };
}

/** The graph as it must be saved in `workspaceId`, and a report of every provider reference. */
export async function mapProviders(db: Db, workspaceId: string, graph: Graph, named: readonly FileRef[] = []): Promise<{ graph: Graph; providers: NameMapping[] }> {
  const refs = referencesOf(graph);
  if (refs.size === 0) return { graph, providers: [] };
  const providers = await db.modelProvider.findMany({ where: { workspaceId }, select: { id: true, name: true } });
  const mappings = planByName(providers, refs, named, "model provider");
  const bySource = new Map(mappings.map((m) => [m.sourceId, m]));
  return { graph: { ...graph, nodes: graph.nodes.map((node) => remapNode(node, bySource)) }, providers: mappings };
}
